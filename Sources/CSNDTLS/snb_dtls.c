#include "snb_dtls.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define SNB_OUT_QUEUE 64
#define SNB_MAX_PEER 64

struct snb_psk {
    char *identity;
    uint8_t *key;
    size_t key_length;
};

struct snb_dtls_server {
    SSL_CTX *ctx;
    BIO_METHOD *bio_method;
    struct snb_psk *psks;
    size_t psk_count;
    size_t psk_capacity;
    uint8_t cookie_secret[32];
    int has_certificate;
};

struct snb_datagram {
    uint8_t *data;
    size_t length;
};

struct snb_dtls_session {
    snb_dtls_server *server;
    SSL *ssl;
    uint8_t peer[SNB_MAX_PEER];
    size_t peer_length;
    const uint8_t *incoming;
    size_t incoming_length;
    int has_incoming;
    struct snb_datagram out[SNB_OUT_QUEUE];
    size_t out_head;
    size_t out_count;
    int established;
    int cookie_verified;
    long mtu;
    char error[256];
};

static void snb_copy_error(char *buffer, size_t capacity, const char *prefix) {
    if (buffer == NULL || capacity == 0) {
        return;
    }
    unsigned long code = ERR_get_error();
    if (code != 0) {
        char reason[200];
        ERR_error_string_n(code, reason, sizeof(reason));
        snprintf(buffer, capacity, "%s: %s", prefix, reason);
    } else {
        snprintf(buffer, capacity, "%s", prefix);
    }
    ERR_clear_error();
}

/* The BIO between OpenSSL and the caller's socket: one read returns the one datagram being received, each write
 * is one datagram to send. */

static int snb_bio_write(BIO *bio, const char *data, int length) {
    snb_dtls_session *session = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    if (length <= 0) {
        return 0;
    }
    if (session->out_count == SNB_OUT_QUEUE) {
        /* The caller drains after every call; a full queue means a flight larger than 64 records: drop it, DTLS
         * retransmits. */
        return length;
    }
    uint8_t *copy = malloc((size_t)length);
    if (copy == NULL) {
        return -1;
    }
    memcpy(copy, data, (size_t)length);
    size_t slot = (session->out_head + session->out_count) % SNB_OUT_QUEUE;
    session->out[slot].data = copy;
    session->out[slot].length = (size_t)length;
    session->out_count += 1;
    return length;
}

static int snb_bio_read(BIO *bio, char *buffer, int capacity) {
    snb_dtls_session *session = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    if (!session->has_incoming) {
        BIO_set_retry_read(bio);
        return -1;
    }
    size_t length = session->incoming_length;
    if (length > (size_t)capacity) {
        length = (size_t)capacity;
    }
    memcpy(buffer, session->incoming, length);
    session->has_incoming = 0;
    return (int)length;
}

static long snb_bio_ctrl(BIO *bio, int command, long number, void *pointer) {
    (void)pointer;
    snb_dtls_session *session = BIO_get_data(bio);
    switch (command) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
        return session->mtu;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
        return 28;
    case BIO_CTRL_DGRAM_SET_MTU:
        return number;
    case BIO_CTRL_DGRAM_MTU_EXCEEDED:
    case BIO_CTRL_PENDING:
    case BIO_CTRL_WPENDING:
        return 0;
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
    case BIO_CTRL_DGRAM_SET_CONNECTED:
        return 1;
    default:
        return 0;
    }
}

static int snb_bio_create(BIO *bio) {
    BIO_set_init(bio, 1);
    return 1;
}

static int snb_bio_destroy(BIO *bio) {
    BIO_set_data(bio, NULL);
    return 1;
}

/* HelloVerifyRequest cookies: HMAC-SHA256 of the peer's address and port under a secret made at start. A spoofed
 * source never sees its cookie, so it never gets past the HelloVerifyRequest. */

static int snb_cookie(snb_dtls_session *session, unsigned char *cookie, unsigned int *length) {
    return HMAC(
               EVP_sha256(),
               session->server->cookie_secret,
               sizeof(session->server->cookie_secret),
               session->peer,
               session->peer_length,
               cookie,
               length
           )
        != NULL;
}

static int snb_generate_cookie(SSL *ssl, unsigned char *cookie, unsigned int *length) {
    snb_dtls_session *session = SSL_get_app_data(ssl);
    return session != NULL && snb_cookie(session, cookie, length);
}

static int snb_verify_cookie(SSL *ssl, const unsigned char *cookie, unsigned int length) {
    snb_dtls_session *session = SSL_get_app_data(ssl);
    unsigned char expected[EVP_MAX_MD_SIZE];
    unsigned int expected_length = 0;
    if (session == NULL || !snb_cookie(session, expected, &expected_length)) {
        return 0;
    }
    if (length != expected_length || CRYPTO_memcmp(cookie, expected, length) != 0) {
        return 0;
    }
    session->cookie_verified = 1;
    return 1;
}

static unsigned int snb_psk_server(SSL *ssl, const char *identity, unsigned char *psk, unsigned int capacity) {
    snb_dtls_session *session = SSL_get_app_data(ssl);
    if (session == NULL || identity == NULL) {
        return 0;
    }
    snb_dtls_server *server = session->server;
    for (size_t index = 0; index < server->psk_count; index++) {
        struct snb_psk *entry = &server->psks[index];
        if (strcmp(entry->identity, identity) == 0 && entry->key_length <= capacity) {
            memcpy(psk, entry->key, entry->key_length);
            return (unsigned int)entry->key_length;
        }
    }
    return 0;
}

static unsigned int snb_psk_client(
    SSL *ssl,
    const char *hint,
    char *identity,
    unsigned int identity_capacity,
    unsigned char *psk,
    unsigned int psk_capacity
) {
    (void)hint;
    snb_dtls_session *session = SSL_get_app_data(ssl);
    if (session == NULL || session->server->psk_count == 0) {
        return 0;
    }
    struct snb_psk *entry = &session->server->psks[0];
    if (strlen(entry->identity) + 1 > identity_capacity || entry->key_length > psk_capacity) {
        return 0;
    }
    strcpy(identity, entry->identity);
    memcpy(psk, entry->key, entry->key_length);
    return (unsigned int)entry->key_length;
}

static snb_dtls_server *snb_context_new(const SSL_METHOD *method, char *error, size_t error_capacity);

snb_dtls_server *snb_dtls_server_new(char *error, size_t error_capacity) {
    snb_dtls_server *server = snb_context_new(DTLS_server_method(), error, error_capacity);
    if (server != NULL) {
        SSL_CTX_set_cookie_generate_cb(server->ctx, snb_generate_cookie);
        SSL_CTX_set_cookie_verify_cb(server->ctx, snb_verify_cookie);
        SSL_CTX_set_options(server->ctx, SSL_OP_COOKIE_EXCHANGE);
    }
    return server;
}

snb_dtls_server *snb_dtls_client_context_new(
    const char *psk_identity,
    const uint8_t *psk,
    size_t psk_length,
    const char *certificate_file,
    const char *key_file,
    const char *ca_file,
    char *error,
    size_t error_capacity
) {
    snb_dtls_server *context = snb_context_new(DTLS_client_method(), error, error_capacity);
    if (context == NULL) {
        return NULL;
    }
    const char *ciphers = "HIGH:!aNULL:!eNULL:!PSK:!RC4:!3DES:!MD5:!SRP:!DSS";
    if (psk_identity != NULL) {
        if (snb_dtls_server_add_psk(context, psk_identity, psk, psk_length) != 0) {
            snprintf(error, error_capacity, "out of memory");
            snb_dtls_server_free(context);
            return NULL;
        }
        SSL_CTX_set_psk_client_callback(context->ctx, snb_psk_client);
        ciphers = "PSK-AES128-GCM-SHA256:PSK";
    }
    if (certificate_file != NULL
        && (SSL_CTX_use_certificate_chain_file(context->ctx, certificate_file) != 1
            || SSL_CTX_use_PrivateKey_file(context->ctx, key_file, SSL_FILETYPE_PEM) != 1))
    {
        snb_copy_error(error, error_capacity, "cannot load the client certificate");
        snb_dtls_server_free(context);
        return NULL;
    }
    if (ca_file != NULL) {
        if (SSL_CTX_load_verify_locations(context->ctx, ca_file, NULL) != 1) {
            snb_copy_error(error, error_capacity, "cannot load the CA");
            snb_dtls_server_free(context);
            return NULL;
        }
        SSL_CTX_set_verify(context->ctx, SSL_VERIFY_PEER, NULL);
    }
    if (SSL_CTX_set_cipher_list(context->ctx, ciphers) != 1) {
        snb_copy_error(error, error_capacity, "no usable cipher suites");
        snb_dtls_server_free(context);
        return NULL;
    }
    return context;
}

static snb_dtls_server *snb_context_new(const SSL_METHOD *method, char *error, size_t error_capacity) {
    snb_dtls_server *server = calloc(1, sizeof(*server));
    if (server == NULL) {
        snprintf(error, error_capacity, "out of memory");
        return NULL;
    }
    server->ctx = SSL_CTX_new(method);
    server->bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "snbridge datagram");
    if (server->ctx == NULL || server->bio_method == NULL || RAND_bytes(server->cookie_secret, 32) != 1) {
        snb_copy_error(error, error_capacity, "cannot create the DTLS context");
        snb_dtls_server_free(server);
        return NULL;
    }
    BIO_meth_set_write(server->bio_method, snb_bio_write);
    BIO_meth_set_read(server->bio_method, snb_bio_read);
    BIO_meth_set_ctrl(server->bio_method, snb_bio_ctrl);
    BIO_meth_set_create(server->bio_method, snb_bio_create);
    BIO_meth_set_destroy(server->bio_method, snb_bio_destroy);
    SSL_CTX_set_min_proto_version(server->ctx, DTLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(server->ctx, DTLS1_2_VERSION);
    SSL_CTX_set_session_cache_mode(server->ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(server->ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_verify(server->ctx, SSL_VERIFY_NONE, NULL);
    return server;
}

void snb_dtls_server_free(snb_dtls_server *server) {
    if (server == NULL) {
        return;
    }
    for (size_t index = 0; index < server->psk_count; index++) {
        OPENSSL_cleanse(server->psks[index].key, server->psks[index].key_length);
        free(server->psks[index].key);
        free(server->psks[index].identity);
    }
    free(server->psks);
    SSL_CTX_free(server->ctx);
    BIO_meth_free(server->bio_method);
    OPENSSL_cleanse(server->cookie_secret, sizeof(server->cookie_secret));
    free(server);
}

int snb_dtls_server_add_psk(snb_dtls_server *server, const char *identity, const uint8_t *key, size_t key_length) {
    if (server->psk_count == server->psk_capacity) {
        size_t capacity = server->psk_capacity == 0 ? 8 : server->psk_capacity * 2;
        struct snb_psk *grown = realloc(server->psks, capacity * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        server->psks = grown;
        server->psk_capacity = capacity;
    }
    struct snb_psk *entry = &server->psks[server->psk_count];
    entry->identity = strdup(identity);
    entry->key = malloc(key_length == 0 ? 1 : key_length);
    if (entry->identity == NULL || entry->key == NULL) {
        free(entry->identity);
        free(entry->key);
        return -1;
    }
    memcpy(entry->key, key, key_length);
    entry->key_length = key_length;
    server->psk_count += 1;
    return 0;
}

int snb_dtls_server_use_certificates(
    snb_dtls_server *server,
    const char *certificate_file,
    const char *key_file,
    const char *ca_file,
    int verify,
    char *error,
    size_t error_capacity
) {
    if (SSL_CTX_use_certificate_chain_file(server->ctx, certificate_file) != 1) {
        snb_copy_error(error, error_capacity, "cannot load the DTLS certificate");
        return -1;
    }
    if (SSL_CTX_use_PrivateKey_file(server->ctx, key_file, SSL_FILETYPE_PEM) != 1
        || SSL_CTX_check_private_key(server->ctx) != 1)
    {
        snb_copy_error(error, error_capacity, "cannot load the DTLS private key");
        return -1;
    }
    if (ca_file != NULL && SSL_CTX_load_verify_locations(server->ctx, ca_file, NULL) != 1) {
        snb_copy_error(error, error_capacity, "cannot load the DTLS client CA");
        return -1;
    }
    int mode = SSL_VERIFY_NONE;
    if (verify == SNB_DTLS_VERIFY_OPTIONAL) {
        mode = SSL_VERIFY_PEER;
    } else if (verify == SNB_DTLS_VERIFY_REQUIRED) {
        mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }
    SSL_CTX_set_verify(server->ctx, mode, NULL);
    server->has_certificate = 1;
    return 0;
}

int snb_dtls_server_prepare(snb_dtls_server *server, char *error, size_t error_capacity) {
    const char *ciphers;
    if (server->psk_count > 0) {
        SSL_CTX_set_psk_server_callback(server->ctx, snb_psk_server);
        ciphers = server->has_certificate ? "ECDHE-PSK:PSK:HIGH:!aNULL:!eNULL:!RC4:!3DES:!MD5:!SRP:!DSS"
                                          : "ECDHE-PSK:PSK:!aNULL:!eNULL:!RC4:!3DES:!MD5";
    } else if (server->has_certificate) {
        ciphers = "HIGH:!aNULL:!eNULL:!PSK:!RC4:!3DES:!MD5:!SRP:!DSS";
    } else {
        snprintf(error, error_capacity, "DTLS needs pre-shared keys or a certificate");
        return -1;
    }
    if (SSL_CTX_set_cipher_list(server->ctx, ciphers) != 1) {
        snb_copy_error(error, error_capacity, "no usable DTLS cipher suites");
        return -1;
    }
    return 0;
}

snb_dtls_session *snb_dtls_session_new(snb_dtls_server *server, const uint8_t *peer, size_t peer_length, int mtu) {
    if (peer_length > SNB_MAX_PEER) {
        return NULL;
    }
    snb_dtls_session *session = calloc(1, sizeof(*session));
    if (session == NULL) {
        return NULL;
    }
    session->server = server;
    memcpy(session->peer, peer, peer_length);
    session->peer_length = peer_length;
    session->mtu = mtu;
    session->ssl = SSL_new(server->ctx);
    BIO *bio = BIO_new(server->bio_method);
    if (session->ssl == NULL || bio == NULL) {
        BIO_free(bio);
        snb_dtls_session_free(session);
        return NULL;
    }
    BIO_set_data(bio, session);
    SSL_set_bio(session->ssl, bio, bio);
    SSL_set_app_data(session->ssl, session);
    SSL_set_options(session->ssl, SSL_OP_COOKIE_EXCHANGE | SSL_OP_NO_QUERY_MTU);
    SSL_set_mtu(session->ssl, mtu - 28);
    SSL_set_accept_state(session->ssl);
    return session;
}

snb_dtls_session *snb_dtls_client_session_new(snb_dtls_server *context, int mtu) {
    static const uint8_t no_peer[1] = {0};
    snb_dtls_session *session = snb_dtls_session_new(context, no_peer, sizeof(no_peer), mtu);
    if (session != NULL) {
        SSL_clear_options(session->ssl, SSL_OP_COOKIE_EXCHANGE);
        SSL_set_connect_state(session->ssl);
    }
    return session;
}

int snb_dtls_session_start(snb_dtls_session *session) {
    ERR_clear_error();
    int result = SSL_do_handshake(session->ssl);
    int error = SSL_get_error(session->ssl, result);
    if (result == 1 || error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return SNB_DTLS_OK;
    }
    snb_copy_error(session->error, sizeof(session->error), "DTLS handshake failed");
    return SNB_DTLS_FAILED;
}

void snb_dtls_session_free(snb_dtls_session *session) {
    if (session == NULL) {
        return;
    }
    while (session->out_count > 0) {
        free(session->out[session->out_head].data);
        session->out_head = (session->out_head + 1) % SNB_OUT_QUEUE;
        session->out_count -= 1;
    }
    SSL_free(session->ssl);
    free(session);
}

int snb_dtls_session_receive(snb_dtls_session *session, const uint8_t *datagram, size_t length) {
    session->incoming = datagram;
    session->incoming_length = length;
    session->has_incoming = 1;
    if (session->established) {
        /* Application data: snb_dtls_session_read takes it. */
        return SNB_DTLS_OK;
    }
    ERR_clear_error();
    int result = SSL_do_handshake(session->ssl);
    session->has_incoming = 0;
    if (result == 1) {
        session->established = 1;
        return SNB_DTLS_ESTABLISHED;
    }
    int error = SSL_get_error(session->ssl, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return SNB_DTLS_OK;
    }
    snb_copy_error(session->error, sizeof(session->error), "DTLS handshake failed");
    return SNB_DTLS_FAILED;
}

int snb_dtls_session_read(snb_dtls_session *session, uint8_t *buffer, size_t capacity) {
    if (!session->established) {
        session->has_incoming = 0;
        return 0;
    }
    ERR_clear_error();
    int result = SSL_read(session->ssl, buffer, (int)capacity);
    if (result > 0) {
        return result;
    }
    session->has_incoming = 0;
    int error = SSL_get_error(session->ssl, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return 0;
    }
    if (error == SSL_ERROR_ZERO_RETURN) {
        snprintf(session->error, sizeof(session->error), "peer closed the association");
    } else {
        snb_copy_error(session->error, sizeof(session->error), "DTLS read failed");
    }
    return -1;
}

int snb_dtls_session_write(snb_dtls_session *session, const uint8_t *data, size_t length) {
    if (!session->established) {
        return -1;
    }
    ERR_clear_error();
    if (SSL_write(session->ssl, data, (int)length) <= 0) {
        snb_copy_error(session->error, sizeof(session->error), "DTLS write failed");
        return -1;
    }
    return 0;
}

int snb_dtls_session_next_outgoing(snb_dtls_session *session, uint8_t *buffer, size_t capacity) {
    if (session->out_count == 0) {
        return 0;
    }
    struct snb_datagram *next = &session->out[session->out_head];
    size_t length = next->length <= capacity ? next->length : capacity;
    memcpy(buffer, next->data, length);
    free(next->data);
    next->data = NULL;
    session->out_head = (session->out_head + 1) % SNB_OUT_QUEUE;
    session->out_count -= 1;
    return (int)length;
}

int snb_dtls_session_is_established(const snb_dtls_session *session) {
    return session->established;
}

int snb_dtls_session_cookie_verified(const snb_dtls_session *session) {
    return session->cookie_verified;
}

static int snb_append_name(char *buffer, size_t capacity, size_t *used, const unsigned char *name, int length) {
    if (length <= 0 || memchr(name, '\n', (size_t)length) != NULL || memchr(name, '\0', (size_t)length) != NULL) {
        return 0;
    }
    size_t needed = (size_t)length + (*used > 0 ? 1 : 0);
    if (*used + needed + 1 > capacity) {
        return -1;
    }
    if (*used > 0) {
        buffer[(*used)++] = '\n';
    }
    memcpy(buffer + *used, name, (size_t)length);
    *used += (size_t)length;
    buffer[*used] = '\0';
    return 0;
}

int snb_dtls_session_names(const snb_dtls_session *session, char *buffer, size_t capacity) {
    if (!session->established || capacity == 0) {
        return 0;
    }
    buffer[0] = '\0';
    size_t used = 0;
    const char *identity = SSL_get_psk_identity(session->ssl);
    if (identity != NULL) {
        if (snb_append_name(buffer, capacity, &used, (const unsigned char *)identity, (int)strlen(identity)) < 0) {
            return -1;
        }
        return (int)used;
    }
    X509 *certificate = SSL_get0_peer_certificate(session->ssl);
    if (certificate == NULL || SSL_get_verify_result(session->ssl) != X509_V_OK) {
        return 0;
    }
    X509_NAME *subject = X509_get_subject_name(certificate);
    int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index >= 0) {
        ASN1_STRING *common = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
        if (snb_append_name(buffer, capacity, &used, ASN1_STRING_get0_data(common), ASN1_STRING_length(common)) < 0) {
            return -1;
        }
    }
    GENERAL_NAMES *names = X509_get_ext_d2i(certificate, NID_subject_alt_name, NULL, NULL);
    if (names != NULL) {
        int failed = 0;
        for (int position = 0; position < sk_GENERAL_NAME_num(names) && !failed; position++) {
            GENERAL_NAME *name = sk_GENERAL_NAME_value(names, position);
            if (name->type == GEN_DNS) {
                ASN1_IA5STRING *dns = name->d.dNSName;
                failed = snb_append_name(buffer, capacity, &used, ASN1_STRING_get0_data(dns), ASN1_STRING_length(dns)) < 0;
            }
        }
        GENERAL_NAMES_free(names);
        if (failed) {
            return -1;
        }
    }
    return (int)used;
}

long snb_dtls_session_timeout_ms(snb_dtls_session *session) {
    struct timeval timeout;
    if (session->established || DTLSv1_get_timeout(session->ssl, &timeout) != 1) {
        return -1;
    }
    return timeout.tv_sec * 1000 + timeout.tv_usec / 1000;
}

void snb_dtls_session_handle_timeout(snb_dtls_session *session) {
    DTLSv1_handle_timeout(session->ssl);
}

void snb_dtls_session_error(const snb_dtls_session *session, char *buffer, size_t capacity) {
    snprintf(buffer, capacity, "%s", session->error[0] != '\0' ? session->error : "no error");
}

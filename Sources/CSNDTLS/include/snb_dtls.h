#ifndef SNB_DTLS_H
#define SNB_DTLS_H

/*
 * A thin shim over Debian's OpenSSL for DTLS 1.2 server associations driven by the caller's UDP socket.
 *
 * The caller owns the socket: it hands every datagram of a peer to that peer's session, reads the plaintext
 * datagrams the session decrypted, and sends the datagrams the session produced. No OpenSSL type is visible here,
 * so Swift code importing this header never sees OpenSSL's symbols next to swift-nio-ssl's BoringSSL.
 *
 *   datagram in ──▶ snb_dtls_session_receive ──▶ snb_dtls_session_read ──▶ plaintext MQTT-SN message
 *   plaintext  ──▶ snb_dtls_session_write ──▶ snb_dtls_session_next_outgoing ──▶ datagram out
 */

#include <stddef.h>
#include <stdint.h>

typedef struct snb_dtls_server snb_dtls_server;
typedef struct snb_dtls_session snb_dtls_session;

enum {
    SNB_DTLS_VERIFY_NONE = 0,
    SNB_DTLS_VERIFY_OPTIONAL = 1,
    SNB_DTLS_VERIFY_REQUIRED = 2,
};

/* Results of snb_dtls_session_receive. */
enum {
    SNB_DTLS_OK = 0,            /* progressed (handshake step or application data ready) */
    SNB_DTLS_ESTABLISHED = 1,   /* the handshake completed with this datagram */
    SNB_DTLS_FAILED = -1,       /* fatal: drop the session (bad key, bad certificate, protocol error) */
    SNB_DTLS_CLOSED = -2,       /* the peer sent close_notify */
};

/* A server context. `error` receives a message when NULL is returned. */
snb_dtls_server *snb_dtls_server_new(char *error, size_t error_capacity);
void snb_dtls_server_free(snb_dtls_server *server);

/* Adds a pre-shared key: identity = client id. Returns 0, or -1 when out of memory. */
int snb_dtls_server_add_psk(snb_dtls_server *server, const char *identity, const uint8_t *key, size_t key_length);

/* Certificates: server certificate and key, and the CA that signs client certificates (may be NULL with
 * SNB_DTLS_VERIFY_NONE). Returns 0, or -1 with `error` filled in. */
int snb_dtls_server_use_certificates(
    snb_dtls_server *server,
    const char *certificate_file,
    const char *key_file,
    const char *ca_file,
    int verify,
    char *error,
    size_t error_capacity
);

/* Finishes the configuration (cipher list). Returns 0, or -1 with `error` filled in. */
int snb_dtls_server_prepare(snb_dtls_server *server, char *error, size_t error_capacity);

/* A new association for the peer whose address octets are `peer` (they key the HelloVerify cookie). */
snb_dtls_session *snb_dtls_session_new(snb_dtls_server *server, const uint8_t *peer, size_t peer_length, int mtu);
void snb_dtls_session_free(snb_dtls_session *session);

/* Feeds one datagram from the peer. */
int snb_dtls_session_receive(snb_dtls_session *session, const uint8_t *datagram, size_t length);

/* Copies the next decrypted datagram into `buffer`: its length, 0 when there is none, -1 on a fatal error. */
int snb_dtls_session_read(snb_dtls_session *session, uint8_t *buffer, size_t capacity);

/* Encrypts one datagram for the peer. Returns 0, or -1 when the association cannot send. */
int snb_dtls_session_write(snb_dtls_session *session, const uint8_t *data, size_t length);

/* Copies the next datagram to send into `buffer`: its length, or 0 when there is none. */
int snb_dtls_session_next_outgoing(snb_dtls_session *session, uint8_t *buffer, size_t capacity);

/* 1 once the handshake completed. */
int snb_dtls_session_is_established(const snb_dtls_session *session);

/* Whether the peer has passed the HelloVerify cookie check (its address is real). */
int snb_dtls_session_cookie_verified(const snb_dtls_session *session);

/* The authenticated names, separated by '\n' (PSK identity, or certificate CN then DNS SANs). Returns the length
 * written (without the terminating NUL), 0 when none, or -1 when `capacity` is too small. */
int snb_dtls_session_names(const snb_dtls_session *session, char *buffer, size_t capacity);

/* The handshake retransmission timer: milliseconds until snb_dtls_session_handle_timeout is due, -1 for none. */
long snb_dtls_session_timeout_ms(snb_dtls_session *session);
void snb_dtls_session_handle_timeout(snb_dtls_session *session);

/* Client side, for tests and benchmarks: a context that authenticates with a pre-shared key (identity != NULL) or
 * a client certificate (certificate_file and key_file), and checks the server against ca_file when given. */
snb_dtls_server *snb_dtls_client_context_new(
    const char *psk_identity,
    const uint8_t *psk,
    size_t psk_length,
    const char *certificate_file,
    const char *key_file,
    const char *ca_file,
    char *error,
    size_t error_capacity
);

/* A client association; snb_dtls_session_start produces the first ClientHello (take it with next_outgoing). */
snb_dtls_session *snb_dtls_client_session_new(snb_dtls_server *context, int mtu);
int snb_dtls_session_start(snb_dtls_session *session);

/* The last OpenSSL error of the session, for logs. */
void snb_dtls_session_error(const snb_dtls_session *session, char *buffer, size_t capacity);

#endif

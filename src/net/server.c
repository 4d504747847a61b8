/* server.c - the HTTP server's lifecycle: listen socket, TLS check, libmicrohttpd daemon, drain and stop. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "net/http_internal.h"

#define DEFAULT_HEADER_BYTES (32u * 1024u)
#define MIN_HEADER_BYTES (8u * 1024u)
#define MAX_HEADER_BYTES (1024u * 1024u)
#define DEFAULT_BODY_BYTES (1024u * 1024u)
#define DEFAULT_IDLE_TIMEOUT_S 30u
#define HEAD_SLACK_BYTES (32u * 1024u)

/* The TLS policy (GnuTLS priority string, see docs/security.md): TLS 1.3 and
 * 1.2 only; AEAD ciphers only (AES-GCM, ChaCha20-Poly1305); forward-secret key
 * exchange only (ECDHE, and TLS 1.3's own); the server's order wins.  Older
 * protocol versions, CBC and RC4 suites, static RSA key exchange and SHA-1
 * signatures are refused at the handshake. */
static const char TLS_PRIORITIES[] =
    "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
    ":-CIPHER-ALL:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-GCM"
    ":-MAC-ALL:+AEAD"
    ":-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA"
    ":-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:-SIGN-DSA-SHA1"
    ":%SERVER_PRECEDENCE";

/* MHD's own diagnostics (malformed requests and the like) go to the debug log:
 * hostile clients must not be able to flood the log at higher levels. */
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    os_log(OS_LOG_DEBUG, "http: %s", msg);
}

/* Keeps the URL exactly as received, so the router sees an encoded '/' (%2F)
 * as such; query parameters are decoded by http_query_lookup. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

/* Binds and listens on host:port; returns the fd or -1 with err filled. */
static int listen_on(const char *host, uint16_t port, uint16_t *bound, os_err *err)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    char h[INET6_ADDRSTRLEN + 2];
    snprintf(h, sizeof h, "%s", host && host[0] ? host : "127.0.0.1");
    size_t hl = strlen(h);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        memmove(h, h + 1, hl - 2);
        h[hl - 2] = '\0';
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, h, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        sl = sizeof *s4;
    } else if (inet_pton(AF_INET6, h, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        sl = sizeof *s6;
    } else {
        return os_err_set(err, OS_EINVAL, "listen address '%s' is not an IPv4 or IPv6 literal",
                          host ? host : "");
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return os_err_set(err, OS_EIO, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
        int e = errno;
        close(fd);
        return os_err_set(err, e == EADDRINUSE ? OS_EEXIST : OS_EIO, "cannot listen on %s:%u: %s",
                          h, (unsigned)port, strerror(e));
    }
    if (listen(fd, 511) != 0) {
        int e = errno;
        close(fd);
        return os_err_set(err, OS_EIO, "listen on %s:%u: %s", h, (unsigned)port, strerror(e));
    }
    struct sockaddr_storage got;
    socklen_t gl = sizeof got;
    if (getsockname(fd, (struct sockaddr *)&got, &gl) != 0) {
        int e = errno;
        close(fd);
        return os_err_set(err, OS_EIO, "getsockname: %s", strerror(e));
    }
    *bound = got.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&got)->sin_port)
                                      : ntohs(((struct sockaddr_in6 *)&got)->sin6_port);
    return fd;
}

/* Checks that the PEM texts hold a certificate and a private key that belong
 * together, so a bad pair is reported clearly instead of as a failed start. */
static int tls_check(const char *cert_pem, const char *key_pem, os_err *err)
{
    int rc = -1;
    BIO *cb = BIO_new_mem_buf(cert_pem, -1), *kb = BIO_new_mem_buf(key_pem, -1);
    X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
    if (cb == NULL || kb == NULL)
        os_err_set(err, OS_ENOMEM, "out of memory reading TLS PEM");
    else if (x == NULL)
        os_err_set(err, OS_EINVAL, "TLS certificate is not a PEM certificate");
    else if (k == NULL)
        os_err_set(err, OS_EINVAL, "TLS key is not a PEM private key (or is encrypted)");
    else if (X509_check_private_key(x, k) != 1)
        os_err_set(err, OS_EINVAL, "TLS key does not match the certificate");
    else
        rc = 0;
    ERR_clear_error();
    EVP_PKEY_free(k);
    X509_free(x);
    BIO_free(kb);
    BIO_free(cb);
    return rc;
}

/* http_server_start - see net/http.h.  Zero config fields take defaults:
 * threads 1, max_header_bytes 32 KiB (8 KiB to 1 MiB is used), max_body_bytes
 * 1 MiB, idle_timeout_s 30; host NULL means 127.0.0.1.  TLS needs both PEMs
 * and a libmicrohttpd built with TLS (else OS_EUNSUPPORTED). */
http_server *http_server_start(const http_server_config *cfg, const http_mount *mounts,
                               size_t nmounts, os_err *err)
{
    if (cfg == NULL || (mounts == NULL && nmounts > 0)) {
        os_err_set(err, OS_EINVAL, "http server: no configuration");
        return NULL;
    }
    int tls = cfg->tls_cert_pem != NULL || cfg->tls_key_pem != NULL;
    if (tls) {
        if (cfg->tls_cert_pem == NULL || cfg->tls_key_pem == NULL) {
            os_err_set(err, OS_EINVAL, "TLS needs both a certificate and a key");
            return NULL;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            os_err_set(err, OS_EUNSUPPORTED,
                       "TLS requested but this libmicrohttpd was built without TLS support");
            return NULL;
        }
        if (tls_check(cfg->tls_cert_pem, cfg->tls_key_pem, err) != 0)
            return NULL;
    }
    http_server *srv = calloc(1, sizeof *srv);
    if (srv == NULL) {
        os_err_set(err, OS_ENOMEM, "http server: out of memory");
        return NULL;
    }
    srv->cfg = *cfg;
    srv->cfg.host = NULL;   /* only used here; the caller's strings may go away */
    srv->cfg.tls_cert_pem = srv->cfg.tls_key_pem = NULL;
    if (srv->cfg.threads == 0)
        srv->cfg.threads = 1;
    if (srv->cfg.max_header_bytes == 0)
        srv->cfg.max_header_bytes = DEFAULT_HEADER_BYTES;
    if (srv->cfg.max_header_bytes < MIN_HEADER_BYTES)
        srv->cfg.max_header_bytes = MIN_HEADER_BYTES;
    if (srv->cfg.max_header_bytes > MAX_HEADER_BYTES)
        srv->cfg.max_header_bytes = MAX_HEADER_BYTES;
    if (srv->cfg.max_body_bytes == 0)
        srv->cfg.max_body_bytes = DEFAULT_BODY_BYTES;
    if (srv->cfg.max_body_bytes > SIZE_MAX / 4)
        srv->cfg.max_body_bytes = SIZE_MAX / 4;
    if (srv->cfg.idle_timeout_s == 0)
        srv->cfg.idle_timeout_s = DEFAULT_IDLE_TIMEOUT_S;
    srv->mounts = mounts;
    srv->nmounts = nmounts;
    pthread_mutex_init(&srv->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->idle, &ca);
    pthread_condattr_destroy(&ca);

    int fd = listen_on(cfg->host, cfg->port, &srv->port, err);
    if (fd < 0)
        goto fail;

    struct MHD_OptionItem ops[16];
    size_t n = 0;
#define OPT(o, v, p) (ops[n].option = (o), ops[n].value = (intptr_t)(v), ops[n].ptr_value = (p), n++)
    OPT(MHD_OPTION_LISTEN_SOCKET, fd, NULL);
    /* Room above our own head limits (dispatch.c answers 414/431 with the JSON
     * body); libmicrohttpd's built-in answers only start past this ceiling. */
    OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, srv->cfg.max_header_bytes * 2 + HEAD_SLACK_BYTES, NULL);
    OPT(MHD_OPTION_CONNECTION_TIMEOUT, srv->cfg.idle_timeout_s, NULL);
    if (srv->cfg.threads > 1)
        OPT(MHD_OPTION_THREAD_POOL_SIZE, srv->cfg.threads, NULL);
    OPT(MHD_OPTION_URI_LOG_CALLBACK, http_request_begin, srv);
    OPT(MHD_OPTION_NOTIFY_COMPLETED, http_request_completed, srv);
    OPT(MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL);
    if (tls) {
        OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cfg->tls_cert_pem);
        OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cfg->tls_key_pem);
        OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES);
    }
    OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
    unsigned base = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                    (tls ? MHD_USE_TLS : 0);
    srv->daemon = MHD_start_daemon(base | MHD_USE_EPOLL, 0, NULL, NULL, http_access_handler, srv,
                                   MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
                                   MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
    if (srv->daemon == NULL)
        srv->daemon = MHD_start_daemon(base | MHD_USE_AUTO, 0, NULL, NULL, http_access_handler,
                                       srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
                                       MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        close(fd);
        os_err_set(err, OS_EIO, "could not start the HTTP server on port %u%s", (unsigned)srv->port,
                   tls ? " (TLS setup was refused)" : "");
        goto fail;
    }
    return srv;
fail:
    pthread_cond_destroy(&srv->idle);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
    return NULL;
}

uint16_t http_server_port(const http_server *srv)
{
    return srv ? srv->port : 0;
}

void http_server_stop(http_server *srv, unsigned drain_ms)
{
    if (srv == NULL)
        return;
    __atomic_store_n(&srv->stopping, 1, __ATOMIC_RELEASE);
    MHD_socket lfd = MHD_quiesce_daemon(srv->daemon);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += drain_ms / 1000;
    deadline.tv_nsec += (long)(drain_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&srv->lock);
    while (srv->active > 0) {
        if (pthread_cond_timedwait(&srv->idle, &srv->lock, &deadline) == ETIMEDOUT)
            break;
    }
    unsigned left = srv->active;
    pthread_mutex_unlock(&srv->lock);
    if (left > 0)
        os_log(OS_LOG_WARN, "http: stopping with %u request(s) still in flight", left);
    MHD_stop_daemon(srv->daemon);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    pthread_cond_destroy(&srv->idle);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

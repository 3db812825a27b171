/* SPDX-License-Identifier: Apache-2.0 */
/* AWS Signature Version 4 header signing (docs: "Create a signed AWS API
 * request"; the official test vectors run in tests/aws/test_sigv4.c). No
 * clock, no env; a gd_sigv4_signer only caches what its inputs determine. */
#include "aws/sigv4.h"

#include "common/buf.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Canonical strings are small; this only stops a runaway input. */
#define SIGV4_CANON_MAX ((size_t)4 * 1024 * 1024)
#define SIGV4_MAX_HEADERS 256
/* Cache fields: a longer secret, region or service is signed without the cache. */
#define SIGV4_CACHE_SECRET_MAX 128
#define SIGV4_CACHE_NAME_MAX 64

/* One per thread (see sigv4.h). The OpenSSL objects are fetched once, so a
 * request does not look the algorithms up again (OpenSSL 3's one-shot HMAC()
 * and EVP_Digest() with EVP_sha256() fetch and build contexts per call). */
struct gd_sigv4_signer {
    EVP_MD *sha256;
    EVP_MD_CTX *md;
    EVP_MAC *hmac;
    EVP_MAC_CTX *derive;              /* scratch for the kDate..kSigning chain */
    EVP_MAC_CTX *sign;                /* keyed with kSigning for the fields below */
    /* The cache key. secret is secret material: only here, wiped when replaced
     * and on free; cached == 0 means sign's key matches no fields. */
    int cached;
    size_t secret_len;
    unsigned char secret[SIGV4_CACHE_SECRET_MAX];
    char date8[9];
    char region[SIGV4_CACHE_NAME_MAX];
    char service[SIGV4_CACHE_NAME_MAX];
};

typedef struct canon_header {
    char *name;    /* lowercase, owned */
    char *value;   /* trimmed, runs of whitespace collapsed, owned */
    size_t order;  /* position in the request: duplicates keep their order */
} canon_header;

static const char hex_upper[] = "0123456789ABCDEF";
static const char hex_lower[] = "0123456789abcdef";

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex_lower[in[i] >> 4];
        out[2 * i + 1] = hex_lower[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Appends each string up to the NULL sentinel (cheaper than a printf of %s). */
static int cat(gd_buf *b, ...) __attribute__((sentinel));
static int cat(gd_buf *b, ...)
{
    va_list ap;
    int rc = 0;
    va_start(ap, b);
    for (const char *s = va_arg(ap, const char *); s && !rc; s = va_arg(ap, const char *))
        rc = gd_buf_append(b, s, strlen(s));
    va_end(ap);
    return rc;
}

void gd_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_Digest(data ? data : "", len, md, &md_len, EVP_sha256(), NULL) || md_len != 32) {
        memset(out, '0', 64);
        out[64] = '\0';
        return;
    }
    hex_encode(md, 32, out);
}

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 3986 encoding of every byte outside the unreserved set; runs of
 * unreserved bytes are appended at once. */
static int encode_bytes(gd_buf *out, const char *s, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc;) {
        size_t run = i;
        while (run < n && is_unreserved((unsigned char)s[run]))
            run++;
        if (run > i)
            rc = gd_buf_append(out, s + i, run - i);
        if (!rc && run < n) {
            unsigned char c = (unsigned char)s[run];
            char esc[3] = {'%', hex_upper[c >> 4], hex_upper[c & 15]};
            rc = gd_buf_append(out, esc, 3);
            run++;
        }
        i = run;
    }
    return rc;
}

/* ---- canonical URI ---------------------------------------------------- */

/* Removes "." and ".." segments and empty segments (duplicate slashes), as
 * the "-normalized" vectors do, then encodes each segment. */
static int canonical_path_normalized(gd_buf *out, const char *path)
{
    size_t len = strlen(path);
    const char **seg = calloc(len / 2 + 2, sizeof *seg);
    size_t *seg_len = calloc(len / 2 + 2, sizeof *seg_len);
    size_t n = 0;
    int trailing_slash = 0, rc = 0;
    if (!seg || !seg_len) {
        rc = GD_E_NOMEM;
        goto done;
    }
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *end = strchr(p, '/');
        size_t l = end ? (size_t)(end - p) : strlen(p);
        trailing_slash = end != NULL || (l == 1 && p[0] == '.') ||
                         (l == 2 && p[0] == '.' && p[1] == '.');
        if (l == 2 && p[0] == '.' && p[1] == '.') {
            if (n)
                n--;
        } else if (l && !(l == 1 && p[0] == '.')) {
            seg[n] = p;
            seg_len[n++] = l;
        }
        p += l;
    }
    rc = gd_buf_appends(out, "/");
    for (size_t i = 0; i < n && !rc; i++) {
        rc = encode_bytes(out, seg[i], seg_len[i]);
        if (!rc && (i + 1 < n || trailing_slash))
            rc = gd_buf_appends(out, "/");
    }
done:
    free(seg);
    free(seg_len);
    return rc;
}

/* S3 style: keep every segment as given, still encoding each one. */
static int canonical_path_raw(gd_buf *out, const char *path)
{
    int rc = 0;
    if (*path != '/')
        rc = gd_buf_appends(out, "/");
    for (const char *p = path; *p && !rc;) {
        const char *slash = strchr(p, '/');
        size_t l = slash ? (size_t)(slash - p) : strlen(p);
        rc = encode_bytes(out, p, l);
        if (!rc && slash)
            rc = gd_buf_appends(out, "/");
        p += l + (slash ? 1 : 0);
    }
    return rc;
}

/* ---- canonical query -------------------------------------------------- */

typedef struct query_pair {
    char *key;     /* encoded, owned */
    char *value;   /* encoded, owned */
} query_pair;

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decodes %XX (a malformed escape stays literal) then re-encodes, so an
 * already-encoded query and a raw one give the same canonical form. */
static char *reencode_component(const char *s, size_t n)
{
    gd_buf dec, enc;
    gd_buf_init(&dec, SIGV4_CANON_MAX);
    gd_buf_init(&enc, SIGV4_CANON_MAX);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (s[i] == '%' && i + 2 < n && hex_val(s[i + 1]) >= 0 && hex_val(s[i + 2]) >= 0) {
            char c = (char)(hex_val(s[i + 1]) * 16 + hex_val(s[i + 2]));
            rc = gd_buf_append(&dec, &c, 1);
            i += 2;
        } else {
            rc = gd_buf_append(&dec, &s[i], 1);
        }
    }
    if (!rc)
        rc = encode_bytes(&enc, dec.data ? dec.data : "", dec.len);
    gd_buf_free(&dec);
    if (rc) {
        gd_buf_free(&enc);
        return NULL;
    }
    return gd_buf_detach(&enc);
}

static int cmp_pair(const void *a, const void *b)
{
    const query_pair *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

static int split_query(const char *query, query_pair **out, size_t *n_out)
{
    size_t cap = 1;
    for (const char *p = query; *p; p++)
        cap += *p == '&';
    query_pair *pairs = calloc(cap, sizeof *pairs);
    size_t n = 0;
    if (!pairs)
        return GD_E_NOMEM;
    for (const char *p = query; *p;) {
        const char *amp = strchr(p, '&');
        size_t l = amp ? (size_t)(amp - p) : strlen(p);
        if (l) {
            const char *eq = memchr(p, '=', l);
            size_t kl = eq ? (size_t)(eq - p) : l;
            pairs[n].key = reencode_component(p, kl);
            pairs[n].value = eq ? reencode_component(eq + 1, l - kl - 1) : strdup("");
            if (!pairs[n].key || !pairs[n++].value) {
                *out = pairs;
                *n_out = n;
                return GD_E_NOMEM;
            }
        }
        p += l + (amp ? 1 : 0);
    }
    *out = pairs;
    *n_out = n;
    return 0;
}

static int canonical_query(gd_buf *out, const char *query)
{
    query_pair *pairs = NULL;
    size_t n = 0;
    int rc = split_query(query ? query : "", &pairs, &n);
    if (!rc)
        qsort(pairs, n, sizeof *pairs, cmp_pair);
    for (size_t i = 0; i < n && !rc; i++)
        rc = cat(out, i ? "&" : "", pairs[i].key, "=", pairs[i].value, (char *)NULL);
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].key);
        free(pairs[i].value);
    }
    free(pairs);
    return rc;
}

/* ---- canonical headers ------------------------------------------------ */

static char *lower_name(const char *name)
{
    size_t n = strlen(name);
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        s[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    return s;
}

/* Trims, and turns every run of whitespace (folded lines included) into one space. */
static char *normalize_value(const char *v)
{
    size_t n = strlen(v);
    char *s = malloc(n + 1);
    size_t o = 0;
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (is_space(v[i])) {
            while (i + 1 < n && is_space(v[i + 1]))
                i++;
            if (o && i + 1 < n)
                s[o++] = ' ';
        } else {
            s[o++] = v[i];
        }
    }
    s[o] = '\0';
    return s;
}

static int valid_header_name(const char *name)
{
    if (!name || !*name)
        return 0;
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == ':' || (unsigned char)*p >= 127)
            return 0;
    return 1;
}

static int cmp_header(const void *a, const void *b)
{
    const canon_header *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int has_header(const gd_sigv4_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (req->headers[i].name && !strcasecmp(req->headers[i].name, name))
            return 1;
    return 0;
}

static int add_header(canon_header *h, size_t *n, const char *name, const char *value)
{
    h[*n].name = lower_name(name);
    h[*n].value = normalize_value(value ? value : "");
    h[*n].order = *n;
    (*n)++;
    return h[*n - 1].name && h[*n - 1].value ? 0 : GD_E_NOMEM;
}

/* Frees a string that may hold the session token, wiping it first. */
static void free_secretish(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

static void free_headers(canon_header *h, size_t n)
{
    for (size_t i = 0; h && i < n; i++) {
        free(h[i].name);
        free_secretish(h[i].value);
    }
    free(h);
}

static void wipe_buf(gd_buf *b)
{
    if (b->data)
        OPENSSL_cleanse(b->data, b->cap);
    gd_buf_free(b);
}

/* Collects the headers to sign: the request's (minus the token when it must
 * stay unsigned), plus X-Amz-Date and X-Amz-Security-Token when absent. */
static int collect_headers(const gd_sigv4_request *req, const gd_sigv4_params *p,
                           const char *amz_date, canon_header **out, size_t *n_out)
{
    canon_header *h = calloc(req->n_headers + 2, sizeof *h);
    size_t n = 0;
    int rc = h ? 0 : GD_E_NOMEM;
    for (size_t i = 0; i < req->n_headers && !rc; i++) {
        const char *name = req->headers[i].name;
        if (p->omit_session_token && !strcasecmp(name, "x-amz-security-token"))
            continue;
        rc = add_header(h, &n, name, req->headers[i].value);
    }
    if (!rc && !has_header(req, "x-amz-date"))
        rc = add_header(h, &n, "x-amz-date", amz_date);
    if (!rc && p->session_token && *p->session_token && !p->omit_session_token &&
        !has_header(req, "x-amz-security-token"))
        rc = add_header(h, &n, "x-amz-security-token", p->session_token);
    if (!rc)
        qsort(h, n, sizeof *h, cmp_header);
    *out = h;
    *n_out = n;
    return rc;
}

/* Writes "name:v1,v2\n" lines into canon and "a;b" into signed_names. */
static int canonical_headers(const canon_header *h, size_t n, gd_buf *canon, gd_buf *signed_names)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        int first = i == 0 || strcmp(h[i].name, h[i - 1].name) != 0;
        int last = i + 1 == n || strcmp(h[i].name, h[i + 1].name) != 0;
        if (first) {
            rc = cat(canon, h[i].name, ":", (char *)NULL);
            if (!rc)
                rc = cat(signed_names, i ? ";" : "", h[i].name, (char *)NULL);
        }
        if (!rc)
            rc = cat(canon, first ? "" : ",", h[i].value, (char *)NULL);
        if (!rc && last)
            rc = gd_buf_appends(canon, "\n");
    }
    return rc;
}

/* ---- signing ---------------------------------------------------------- */

static int format_amz_date(int64_t time_s, char out[17])
{
    /* Years 1970..9999 keep the format fixed-width. */
    if (time_s < 0 || time_s > INT64_C(253402300799))
        return -1;
    time_t t = (time_t)time_s;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return -1;
    return strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) == 16 ? 0 : -1;
}

/* out = HMAC-SHA256(key, msg): one-shot without a context (the plain
 * gd_sigv4_sign), else on the signer's reusable context, where key NULL
 * re-uses the key the context already holds. */
static int hmac(EVP_MAC_CTX *ctx, const void *key, size_t key_len, const char *msg,
                size_t msg_len, unsigned char out[32])
{
    if (ctx) {
        size_t n = 0;
        if (!EVP_MAC_init(ctx, key, key_len, NULL) ||
            !EVP_MAC_update(ctx, (const unsigned char *)msg, msg_len) ||
            !EVP_MAC_final(ctx, out, &n, 32))
            return -1;
        return n == 32 ? 0 : -1;
    }
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, msg_len, out, &len))
        return -1;
    return len == 32 ? 0 : -1;
}

static int hmacs(EVP_MAC_CTX *ctx, const void *key, size_t key_len, const char *msg,
                 unsigned char out[32])
{
    return hmac(ctx, key, key_len, msg, strlen(msg), out);
}

static void sha256_hex(gd_sigv4_signer *s, const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    if (!s) {
        gd_sha256_hex(data, len, out);
        return;
    }
    if (!EVP_DigestInit_ex2(s->md, s->sha256, NULL) ||
        !EVP_DigestUpdate(s->md, data ? data : "", len) || !EVP_DigestFinal_ex(s->md, md, &n) ||
        n != 32) {
        memset(out, '0', 64);
        out[64] = '\0';
        return;
    }
    hex_encode(md, 32, out);
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date8), region), service), "aws4_request"). */
static int derive_signing_key(EVP_MAC_CTX *ctx, const gd_sigv4_params *p, const char *date8,
                              unsigned char k_signing[32])
{
    unsigned char k[32];
    size_t slen = strlen(p->secret_access_key);
    char *seed = malloc(slen + 5);
    if (!seed)
        return GD_E_NOMEM;
    memcpy(seed, "AWS4", 4);
    memcpy(seed + 4, p->secret_access_key, slen + 1);
    int ok = !hmacs(ctx, seed, slen + 4, date8, k) && !hmacs(ctx, k, 32, p->region, k_signing) &&
             !hmacs(ctx, k_signing, 32, p->service, k) &&
             !hmacs(ctx, k, 32, "aws4_request", k_signing);
    OPENSSL_cleanse(seed, slen + 4);
    OPENSSL_cleanse(k, sizeof k);
    free(seed);
    if (!ok)
        OPENSSL_cleanse(k_signing, 32);
    return ok ? 0 : GD_E_INTERNAL;
}

/* ---- the signer's key cache ------------------------------------------ */

static void cache_forget(gd_sigv4_signer *s)
{
    OPENSSL_cleanse(s->secret, sizeof s->secret);
    s->secret_len = 0;
    s->cached = 0;
    s->date8[0] = s->region[0] = s->service[0] = '\0';
}

/* The secret is compared in constant time (for its length); the rest is public. */
static int cache_hit(const gd_sigv4_signer *s, const gd_sigv4_params *p, const char *date8)
{
    size_t len = strlen(p->secret_access_key);
    return s->cached && len == s->secret_len && !strcmp(s->date8, date8) &&
           !strcmp(s->region, p->region) && !strcmp(s->service, p->service) &&
           CRYPTO_memcmp(s->secret, p->secret_access_key, len) == 0;
}

/* Records what s->sign is keyed for; a field too long to hold leaves the cache empty. */
static void cache_remember(gd_sigv4_signer *s, const gd_sigv4_params *p, const char *date8)
{
    size_t sl = strlen(p->secret_access_key), rl = strlen(p->region), vl = strlen(p->service);
    if (sl > sizeof s->secret || rl >= sizeof s->region || vl >= sizeof s->service)
        return;
    memcpy(s->secret, p->secret_access_key, sl);
    s->secret_len = sl;
    memcpy(s->date8, date8, 9);
    memcpy(s->region, p->region, rl + 1);
    memcpy(s->service, p->service, vl + 1);
    s->cached = 1;
}

/* Keys s->sign with kSigning for these fields, deriving it unless cached. */
static int signer_load_key(gd_sigv4_signer *s, const gd_sigv4_params *p, const char *date8)
{
    static const unsigned char scrub = 0;
    unsigned char k[32];
    if (cache_hit(s, p, date8))
        return 0;
    cache_forget(s);
    int rc = derive_signing_key(s->derive, p, date8, k);
    if (!rc && !EVP_MAC_init(s->sign, k, sizeof k, NULL))
        rc = GD_E_INTERNAL;
    OPENSSL_cleanse(k, sizeof k);
    /* Leave no derived key (kService) behind in the scratch context. */
    EVP_MAC_init(s->derive, &scrub, 1, NULL);
    if (!rc)
        cache_remember(s, p, date8);
    return rc;
}

/* signature = hex(HMAC(kSigning, sts)). */
static int compute_signature(gd_sigv4_signer *s, const gd_sigv4_params *p, const char *date8,
                             const gd_buf *sts, char out[65])
{
    unsigned char k[32], sig[32];
    int rc;
    if (s) {
        rc = signer_load_key(s, p, date8);
        if (!rc && hmac(s->sign, NULL, 0, gd_buf_cstr(sts), sts->len, sig))
            rc = GD_E_INTERNAL;
        if (rc)
            cache_forget(s);
    } else {
        rc = derive_signing_key(NULL, p, date8, k);
        if (!rc && hmac(NULL, k, sizeof k, gd_buf_cstr(sts), sts->len, sig))
            rc = GD_E_INTERNAL;
        OPENSSL_cleanse(k, sizeof k);
    }
    if (!rc)
        hex_encode(sig, 32, out);
    OPENSSL_cleanse(sig, sizeof sig);
    return rc;
}

gd_sigv4_signer *gd_sigv4_signer_new(void)
{
    static char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    gd_sigv4_signer *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    s->md = EVP_MD_CTX_new();
    s->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    s->derive = s->hmac ? EVP_MAC_CTX_new(s->hmac) : NULL;
    s->sign = s->hmac ? EVP_MAC_CTX_new(s->hmac) : NULL;
    if (!s->sha256 || !s->md || !s->derive || !s->sign ||
        !EVP_MAC_CTX_set_params(s->derive, params) || !EVP_MAC_CTX_set_params(s->sign, params)) {
        gd_sigv4_signer_free(s);
        return NULL;
    }
    return s;
}

void gd_sigv4_signer_free(gd_sigv4_signer *s)
{
    if (!s)
        return;
    cache_forget(s);
    EVP_MAC_CTX_free(s->sign);      /* cleanses the key it holds */
    EVP_MAC_CTX_free(s->derive);
    EVP_MAC_free(s->hmac);
    EVP_MD_CTX_free(s->md);
    EVP_MD_free(s->sha256);
    free(s);
}

static int check_inputs(const gd_sigv4_request *req, const gd_sigv4_params *p, gd_err *err)
{
    if (!req || !p || !req->method || !*req->method || !p->access_key_id || !*p->access_key_id ||
        !p->secret_access_key || !*p->secret_access_key || !p->region || !*p->region ||
        !p->service || !*p->service)
        return gd_err_set(err, GD_E_USAGE, "sigv4: method, credentials, region and service are required");
    if (req->n_headers > SIGV4_MAX_HEADERS)
        return gd_err_set(err, GD_E_USAGE, "sigv4: too many headers (%zu)", req->n_headers);
    for (size_t i = 0; i < req->n_headers; i++)
        if (!valid_header_name(req->headers[i].name))
            return gd_err_set(err, GD_E_USAGE, "sigv4: invalid header name at index %zu", i);
    if (strchr(p->region, '/') || strchr(p->service, '/'))
        return gd_err_set(err, GD_E_USAGE, "sigv4: region or service contains '/'");
    return 0;
}

/* The request may carry its own X-Amz-Date; it must match the signing time. */
static int check_date_header(const gd_sigv4_request *req, const char *amz_date, gd_err *err)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (!strcasecmp(req->headers[i].name, "x-amz-date") &&
            (!req->headers[i].value || strcmp(req->headers[i].value, amz_date) != 0))
            return gd_err_set(err, GD_E_USAGE,
                              "sigv4: X-Amz-Date header does not match the signing time %s", amz_date);
    return 0;
}

static int build_canonical_request(const gd_sigv4_request *req, const gd_sigv4_params *p,
                                   gd_sigv4_result *out, gd_buf *creq, gd_buf *names)
{
    canon_header *h = NULL;
    size_t n = 0;
    const char *path = req->path && *req->path ? req->path : "/";
    int rc = cat(creq, req->method, "\n", (char *)NULL);
    if (!rc)
        rc = p->normalize_path ? canonical_path_normalized(creq, path)
                               : canonical_path_raw(creq, path);
    if (!rc)
        rc = gd_buf_appends(creq, "\n");
    if (!rc)
        rc = canonical_query(creq, req->query);
    if (!rc)
        rc = gd_buf_appends(creq, "\n");
    if (!rc)
        rc = collect_headers(req, p, out->amz_date, &h, &n);
    if (!rc)
        rc = canonical_headers(h, n, creq, names);
    free_headers(h, n);
    if (!rc)
        rc = cat(creq, "\n", gd_buf_cstr(names), "\n", out->payload_hash, (char *)NULL);
    return rc;
}

static int build_outputs(gd_sigv4_signer *s, const gd_sigv4_params *p, gd_sigv4_result *out,
                         gd_buf *creq, gd_buf *names)
{
    char date8[9], creq_hash[65];
    gd_buf sts, auth;
    gd_buf_init(&sts, SIGV4_CANON_MAX);
    gd_buf_init(&auth, SIGV4_CANON_MAX);
    memcpy(date8, out->amz_date, 8);
    date8[8] = '\0';
    sha256_hex(s, creq->data, creq->len, creq_hash);
    int rc = cat(&sts, "AWS4-HMAC-SHA256\n", out->amz_date, "\n", date8, "/", p->region, "/",
                 p->service, "/aws4_request\n", creq_hash, (char *)NULL);
    if (!rc)
        rc = compute_signature(s, p, date8, &sts, out->signature);
    if (!rc)
        rc = cat(&auth, "AWS4-HMAC-SHA256 Credential=", p->access_key_id, "/", date8, "/",
                 p->region, "/", p->service, "/aws4_request, SignedHeaders=", gd_buf_cstr(names),
                 ", Signature=", out->signature, (char *)NULL);
    if (!rc) {
        out->canonical_request = gd_buf_detach(creq);
        out->string_to_sign = gd_buf_detach(&sts);
        out->signed_headers = gd_buf_detach(names);
        out->authorization = gd_buf_detach(&auth);
        if (!out->canonical_request || !out->string_to_sign || !out->signed_headers ||
            !out->authorization)
            rc = GD_E_NOMEM;
    }
    gd_buf_free(&sts);
    gd_buf_free(&auth);
    return rc;
}

int gd_sigv4_sign_with(gd_sigv4_signer *s, const gd_sigv4_request *req,
                       const gd_sigv4_params *params, gd_sigv4_result *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_inputs(req, params, err);
    if (rc)
        return rc;
    if (format_amz_date(params->time_s, out->amz_date))
        return gd_err_set(err, GD_E_USAGE, "sigv4: signing time out of range");
    rc = check_date_header(req, out->amz_date, err);
    if (rc)
        return rc;
    sha256_hex(s, req->payload, req->payload_len, out->payload_hash);

    gd_buf creq, names;
    gd_buf_init(&creq, SIGV4_CANON_MAX);
    gd_buf_init(&names, SIGV4_CANON_MAX);
    rc = build_canonical_request(req, params, out, &creq, &names);
    if (!rc)
        rc = build_outputs(s, params, out, &creq, &names);
    wipe_buf(&creq);
    gd_buf_free(&names);
    if (rc) {
        gd_sigv4_result_free(out);
        return gd_err_set(err, rc, "%s %s: sigv4 signing failed (%s)", params->region,
                          params->service, gd_errcode_name(rc));
    }
    return 0;
}

int gd_sigv4_sign(const gd_sigv4_request *req, const gd_sigv4_params *params,
                  gd_sigv4_result *out, gd_err *err)
{
    return gd_sigv4_sign_with(NULL, req, params, out, err);
}

void gd_sigv4_result_free(gd_sigv4_result *res)
{
    if (!res)
        return;
    /* The canonical request carries the session token when it is signed. */
    free_secretish(res->canonical_request);
    free(res->string_to_sign);
    free(res->signed_headers);
    free(res->authorization);
    res->canonical_request = res->string_to_sign = res->signed_headers = res->authorization = NULL;
    OPENSSL_cleanse(res->signature, sizeof res->signature);
}

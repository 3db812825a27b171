/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing AWS error responses: code, message and request id from headers and
 * JSON or XML bodies. Every value comes from the network, so each is cut to
 * its buffer and stripped of control characters before anyone logs it. */
#include "aws/aws_client.h"
#include "aws/xml_min_internal.h"

#include <jansson.h>

#include <string.h>

/* Copies s[0..len) keeping printable ASCII and UTF-8 bytes; control
 * characters (newlines, escapes) become spaces. */
static void copy_printable(char *out, size_t n, const char *s, size_t len)
{
    size_t o = 0;
    if (!n)
        return;
    for (size_t i = 0; i < len && o + 1 < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    out[o] = '\0';
}

/* "aws.protocoltests#InvalidInputException:http://..." -> "InvalidInputException".
 * Only [A-Za-z0-9._-] survive: codes are identifiers, never free text. */
static void normalize_code(const char *raw, size_t len, char *out, size_t n)
{
    const char *colon = memchr(raw, ':', len);
    if (colon)
        len = (size_t)(colon - raw);
    for (size_t i = len; i > 0; i--)
        if (raw[i - 1] == '#') {
            raw += i;
            len -= i;
            break;
        }
    while (len && (*raw == ' ' || *raw == '\t')) {
        raw++;
        len--;
    }
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < n; i++) {
        char c = raw[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '_' || c == '-')
            out[o++] = c;
    }
    if (n)
        out[o] = '\0';
}

static const char *json_first_string(json_t *obj, const char *const *keys, size_t n_keys)
{
    for (size_t i = 0; i < n_keys; i++) {
        const char *v = json_string_value(json_object_get(obj, keys[i]));
        if (v && *v)
            return v;
    }
    return NULL;
}

static int parse_json_error(const char *body, size_t len, char *code, size_t code_n,
                            char *message, size_t message_n)
{
    static const char *const code_keys[] = {"__type", "code", "Code"};
    static const char *const msg_keys[] = {"message", "Message", "errorMessage"};
    json_t *root = json_loadb(body, len, 0, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        return -1;
    }
    const char *c = json_first_string(root, code_keys, 3);
    const char *m = json_first_string(root, msg_keys, 3);
    if (c && !code[0])
        normalize_code(c, strlen(c), code, code_n);
    if (m)
        copy_printable(message, message_n, m, strlen(m));
    json_decref(root);
    return 0;
}

/* Query protocol (STS): <ErrorResponse><Error><Code>..</Code><Message>.. */
static void parse_xml_error(const char *body, size_t len, char *code, size_t code_n,
                            char *message, size_t message_n)
{
    char tmp[1024];
    if (!code[0] && gd_xml_text_in(body, len, "Error", "Code", tmp, sizeof tmp) == 0)
        normalize_code(tmp, strlen(tmp), code, code_n);
    if (gd_xml_text_in(body, len, "Error", "Message", tmp, sizeof tmp) == 0)
        copy_printable(message, message_n, tmp, strlen(tmp));
}

static size_t skip_space(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

void gd_aws_parse_error(const char *errortype_header, const char *body, size_t len,
                        char *code, size_t code_n, char *message, size_t message_n)
{
    if (code_n)
        code[0] = '\0';
    if (message_n)
        message[0] = '\0';
    if (errortype_header && *errortype_header)
        normalize_code(errortype_header, strlen(errortype_header), code, code_n);
    if (!body || !len)
        return;
    size_t i = skip_space(body, len);
    if (i < len && body[i] == '{')
        parse_json_error(body + i, len - i, code, code_n, message, message_n);
    else if (i < len && body[i] == '<')
        parse_xml_error(body + i, len - i, code, code_n, message, message_n);
}

void gd_aws_request_id(const gd_http_response *resp, char *out, size_t n)
{
    static const char *const names[] = {"x-amzn-RequestId", "x-amz-request-id", "x-amz-id-2"};
    char tmp[256];
    if (n)
        out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (gd_http_response_header(resp, names[i], tmp, sizeof tmp) && tmp[0]) {
            copy_printable(out, n, tmp, strlen(tmp));
            return;
        }
    size_t len = resp->body.len;
    const char *body = gd_buf_cstr(&resp->body);
    if (len && gd_xml_text(body, len, "RequestId", tmp, sizeof tmp) == 0)
        copy_printable(out, n, tmp, strlen(tmp));
}

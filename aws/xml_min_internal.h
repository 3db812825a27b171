/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_XML_MIN_INTERNAL_H
#define GD_AWS_XML_MIN_INTERNAL_H
/* A minimal, bounded XML text extractor for AWS query-protocol responses
 * (STS) and XML error bodies. Not a parser: it finds the first element with
 * a given name and returns its text. Input is treated as hostile: every scan
 * stays within [xml, xml+len), no NUL terminator is needed, and nothing is
 * allocated. Namespace prefixes are not interpreted ("<a:Code>" is not
 * "<Code>"); attributes on the start tag are skipped. */
#include <stddef.h>

/* Finds the first <tag ...>content</tag> in xml[0..len) and points *content /
 * *content_len at the raw (undecoded) content. A self-closing <tag/> gives
 * empty content. Returns 0, or GD_E_NOT_FOUND, or GD_E_PARSE when the start
 * tag has no matching end tag. */
int gd_xml_element(const char *xml, size_t len, const char *tag, const char **content,
                   size_t *content_len);

/* Copies the text of the first <tag> element, entity-decoded (&amp; &lt; &gt;
 * &quot; &apos; and &#N; / &#xH; as UTF-8), into out (always NUL-terminated
 * when n > 0). Returns 0; GD_E_NOT_FOUND; GD_E_PARSE when the element holds
 * child elements, an unknown or malformed entity, or a NUL; GD_E_TOO_BIG when
 * the decoded text needs more than n - 1 bytes (out then holds "" ). */
int gd_xml_text(const char *xml, size_t len, const char *tag, char *out, size_t n);

/* The same, looking only inside the first <outer> element, e.g.
 * gd_xml_text_in(body, len, "Error", "Code", code, sizeof code). */
int gd_xml_text_in(const char *xml, size_t len, const char *outer, const char *tag, char *out,
                   size_t n);

/* Entity-decodes text[0..len) into out (as gd_xml_text does). */
int gd_xml_decode(const char *text, size_t len, char *out, size_t n);

#endif

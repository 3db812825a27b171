/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_NAMES_H
#define GD_COMMON_NAMES_H
/* The one rule for each kind of name that ends up in a host name or a URL:
 * AWS region names and the host part of configured URLs. Used by aws/
 * (endpoints, shared config, container credentials), collector/ (region
 * lists from AWS) and cli/ (--regions). */
#include <stddef.h>

#define GD_REGION_NAME_MAX 63

/* 1 when s can be an AWS region name: 1..63 characters of lower-case
 * letters, digits and '-', starting and ending with a letter or digit (a
 * valid DNS label, as the endpoint rule sets' isValidHostLabel requires;
 * upper case is refused because SigV4 scopes are case-sensitive). */
int gd_region_name_valid(const char *s);

/* Copies the authority ("host[:port]", brackets kept) of an absolute URL
 * "scheme://authority/..." into out. -1 when there is no "://", the
 * authority is empty, carries userinfo ('@'), contains white space or
 * control characters, ends in ':' without a port, or does not fit. */
int gd_url_authority(const char *url, char *out, size_t n);
/* Copies the host of an absolute URL into out, without brackets or port
 * ("[::1]:80" -> "::1"). -1 as gd_url_authority, or for an unclosed '['. */
int gd_url_host(const char *url, char *out, size_t n);
/* 1 for "localhost", 127.0.0.0/8 written as a dotted quad, and ::1 (host as
 * gd_url_host returns it: no brackets). */
int gd_host_is_loopback(const char *host);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* The ListMembers reader of members_scan.h, on plain_json.h's pieces: every
 * read is bounded by the body's end and by the longest string it may take;
 * on the first byte outside the plain shape it frees what it built and
 * declines. */
#include "collector/members_scan.h"
#include "collector/plain_json.h"

#include <stdlib.h>
#include <string.h>

#define MS_STR_MAX 4096           /* longer strings: declined */

/* null (NULL, as dup_str gives for a non-string) or a plain string copied. */
static int take_opt_str(gd_pj_cur *c, char **dst)
{
    const char *s;
    size_t n;
    if (gd_pj_literal(c, "null") == 0)
        return 0;
    if (gd_pj_string(c, MS_STR_MAX, &s, &n) != 0)
        return -1;
    *dst = gd_pj_copy(s, n);
    return *dst ? 0 : -1;
}

typedef struct member_scan {
    gd_api_member m;
    char *master_id;              /* masterId: the administrator when none is named */
} member_scan;

static int member_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    member_scan *ms = ud;
    gd_api_member *m = &ms->m;
    char **dst = gd_pj_is_key(key, n, "accountId")            ? &m->account_id
                 : gd_pj_is_key(key, n, "detectorId")         ? &m->detector_id
                 : gd_pj_is_key(key, n, "relationshipStatus") ? &m->relationship_status
                 : gd_pj_is_key(key, n, "email")              ? &m->email
                 : gd_pj_is_key(key, n, "administratorId")    ? &m->administrator_id
                 : gd_pj_is_key(key, n, "masterId")           ? &ms->master_id
                 : gd_pj_is_key(key, n, "invitedAt")          ? &m->invited_at
                 : gd_pj_is_key(key, n, "updatedAt")          ? &m->updated_at
                                                              : NULL;
    return dst ? take_opt_str(c, dst) : gd_pj_skip(c);
}

static void member_scan_free(member_scan *ms)
{
    gd_api_member_free(&ms->m);
    free(ms->master_id);
}

typedef struct page_scan {
    gd_api_members_page *out;
    size_t cap;
    int seen_members;
} page_scan;

/* jansson's path skips a member without a valid account id: declined. */
static int member_item(gd_pj_cur *c, void *ud)
{
    page_scan *ps = ud;
    member_scan ms;
    memset(&ms, 0, sizeof ms);
    if (gd_pj_object(c, member_member, &ms) != 0 || !gd_api_is_account_id(ms.m.account_id) ||
        gd_pj_grow(&ps->out->members, ps->out->n, &ps->cap, sizeof ms.m) != 0) {
        member_scan_free(&ms);
        return -1;
    }
    if (!ms.m.administrator_id) {
        ms.m.administrator_id = ms.master_id;   /* gd_api_parse_members' fallback */
        ms.master_id = NULL;
    }
    free(ms.master_id);
    ps->out->members[ps->out->n++] = ms.m;
    return 0;
}

static int root_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    page_scan *ps = ud;
    if (gd_pj_is_key(key, n, "members")) {
        ps->seen_members = 1;
        return gd_pj_array(c, GD_PJ_ITEMS_MAX, member_item, ps);
    }
    if (gd_pj_is_key(key, n, "nextToken"))
        return gd_pj_token(c, GD_API_TOKEN_MAX, &ps->out->next_token);
    return gd_pj_skip(c);
}

int gd_members_scan(const char *body, size_t len, gd_api_members_page *out)
{
    memset(out, 0, sizeof *out);
    if (!body)
        return GD_MEMSCAN_DECLINED;
    page_scan ps = {out, 0, 0};
    gd_pj_cur c = {body, body + len};
    if (gd_pj_object(&c, root_member, &ps) != 0 || c.p != c.end || !ps.seen_members) {
        gd_api_members_page_free(out);
        return GD_MEMSCAN_DECLINED;
    }
    return GD_MEMSCAN_OK;
}

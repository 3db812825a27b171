/* SPDX-License-Identifier: Apache-2.0 */
/* collector/trial_scan: the tree-less reader of GetRemainingFreeTrialDays
 * answers against the jansson reading trial_sync.c does (parse_page and
 * note_unprocessed, mirrored here on gd_api_parse_body's tree), on valid
 * and hostile answers. Whatever the scanner takes, that reading must give
 * the same rows and unprocessed accounts and skip nothing; what it must
 * decline is listed, and single-byte mutations and truncations may never
 * make it take an answer jansson reads differently or refuses. */
#include "collector/gd_api.h"
#include "collector/trial_scan.h"
#include "scan_mutants.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>

/* trial_sync.c's reading: rows (borrowing from *root), unprocessed, and
 * how many accounts / features it skipped. */
typedef struct ref {
    json_t *root;
    gd_trial_row rows[64];
    size_t n_rows;
    gd_trial_unprocessed unp[16];
    size_t n_unp;
    size_t skipped;
} ref;

static int ref_read(const char *body, size_t len, ref *r)
{
    gd_err err = {0};
    memset(r, 0, sizeof *r);
    if (gd_api_parse_body(body, len, 0, &r->root, &err) != 0)
        return -1;
    size_t i, j;
    const json_t *a, *f, *u;
    json_array_foreach(json_object_get(r->root, "accounts"), i, a) {
        const char *acct = json_string_value(json_object_get(a, "accountId"));
        if (!acct || !*acct) {
            r->skipped++;
            continue;
        }
        json_array_foreach(json_object_get(a, "features"), j, f) {
            const char *name = json_string_value(json_object_get(f, "name"));
            const json_t *days = json_object_get(f, "freeTrialDaysRemaining");
            if (!name || !*name || !json_is_integer(days) || json_integer_value(days) < 0) {
                r->skipped++;
                continue;
            }
            if (r->n_rows < 64)
                r->rows[r->n_rows++] = (gd_trial_row){acct, name, json_integer_value(days)};
        }
    }
    json_array_foreach(json_object_get(r->root, "unprocessedAccounts"), i, u) {
        if (r->n_unp < 16)
            r->unp[r->n_unp++] = (gd_trial_unprocessed){
                json_string_value(json_object_get(u, "accountId")),
                json_string_value(json_object_get(u, "result"))};
    }
    return 0;
}

static int same(const gd_trial_scan *s, const ref *r)
{
    if (s->n_rows != r->n_rows || s->n_unprocessed != r->n_unp || r->skipped)
        return 0;
    for (size_t i = 0; i < s->n_rows; i++)
        if (!same_str(s->rows[i].account_id, r->rows[i].account_id) ||
            !same_str(s->rows[i].feature, r->rows[i].feature) ||
            s->rows[i].days_left != r->rows[i].days_left)
            return 0;
    for (size_t i = 0; i < s->n_unprocessed; i++)
        if (!same_str(s->unprocessed[i].account_id, r->unp[i].account_id) ||
            !same_str(s->unprocessed[i].result, r->unp[i].result))
            return 0;
    return 1;
}

static int agree_len(const char *body, size_t len)
{
    gd_trial_scan s;
    int st = gd_trial_scan_body(body, len, &s);
    if (st == GD_TRSCAN_OK) {
        ref r;
        int rc = ref_read(body, len, &r);
        CHECK_MSG(rc == 0, "taken, but jansson refuses: %.*s", (int)len, body);
        CHECK_MSG(rc != 0 || same(&s, &r), "taken differently: %.*s", (int)len, body);
        json_decref(r.root);
    } else {
        CHECK_MSG(s.arena == NULL && s.rows == NULL && s.n_rows == 0 && s.unprocessed == NULL,
                  "declined but not empty: %.80s", body);
    }
    gd_trial_scan_free(&s);
    return st;
}

static int agree(const char *body)
{
    return agree_len(body, strlen(body));
}

static const char *FULL =
    "{\"accounts\":[{\"accountId\":\"123456789012\",\"features\":[{\"name\":\"S3_DATA_EVENTS\","
    "\"freeTrialDaysRemaining\":12},{\"name\":\"EKS_AUDIT_LOGS\",\"freeTrialDaysRemaining\":0}]},"
    "{\"features\":[{\"freeTrialDaysRemaining\":30,\"name\":\"X\"}],\"accountId\":"
    "\"210987654321\"}],\"unprocessedAccounts\":[{\"accountId\":\"111111111111\",\"result\":"
    "\"The request is rejected because the input account is not a member.\"},{}]}";

static void test_takes_the_plain_answers(void)
{
    CHECK_INT(agree(FULL), GD_TRSCAN_OK);
    gd_trial_scan s;
    CHECK_INT(gd_trial_scan_body(FULL, strlen(FULL), &s), GD_TRSCAN_OK);
    CHECK_INT(s.n_rows, 3);
    CHECK_STR(s.rows[2].account_id, "210987654321");   /* features before the account id */
    CHECK_STR(s.rows[2].feature, "X");
    CHECK_INT(s.rows[2].days_left, 30);
    CHECK_INT(s.rows[1].days_left, 0);
    CHECK_INT(s.n_unprocessed, 2);
    CHECK(s.unprocessed[1].account_id == NULL && s.unprocessed[1].result == NULL);
    gd_trial_scan_free(&s);

    const char *ok[] = {
        "{}",
        "{\"accounts\":[]}",
        "{\"accounts\":[],\"unprocessedAccounts\":[]}",
        "{\"accounts\":[{\"accountId\":\"a\"}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"features\":[]}],\"x\":[1,{\"y\":null}]}",
        ("{\"accounts\":[{\"accountId\":\"a\",\"features\":[{\"name\":\"n\","
         "\"freeTrialDaysRemaining\":123456789012345678,\"z\":\"q\"}]}]}"),
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        CHECK_MSG(agree(ok[i]) == GD_TRSCAN_OK, "must take: %s", ok[i]);
}

/* What trial_sync.c's reading skips (and logs), and anything unusual. */
static void test_declines_the_unusual(void)
{
    const char *no[] = {
        "", "[]", "null", "{} ", " {}", "{}x", "{",
        "{\"accounts\":null}",
        "{\"accounts\":{}}",
        "{\"accounts\":[],\"accounts\":[]}",
        "{\"accounts\":[1]}",
        "{\"accounts\":[{}]}",
        "{\"accounts\":[{\"accountId\":\"\"}]}",
        "{\"accounts\":[{\"accountId\":null}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"features\":null}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"features\":[{}]}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"features\":[{\"name\":\"n\"}]}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"features\":[{\"name\":\"\","
        "\"freeTrialDaysRemaining\":1}]}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"features\":[{\"name\":\"n\","
        "\"freeTrialDaysRemaining\":-1}]}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"features\":[{\"name\":\"n\","
        "\"freeTrialDaysRemaining\":-0}]}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"features\":[{\"name\":\"n\","
        "\"freeTrialDaysRemaining\":1.0}]}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"features\":[{\"name\":\"n\","
        "\"freeTrialDaysRemaining\":\"1\"}]}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"features\":[{\"name\":\"n\","
        "\"freeTrialDaysRemaining\":1234567890123456789}]}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"features\":[{\"name\":\"n\","
        "\"freeTrialDaysRemaining\":1e2}]}]}",
        "{\"accounts\":[{\"accountId\":\"a\",\"accountId\":\"b\"}]}",
        "{\"accounts\":[{\"accountId\":\"a\\u0062\"}]}",
        "{\"unprocessedAccounts\":[1]}",
        "{\"unprocessedAccounts\":[{\"accountId\":null}]}",
        "{\"unprocessedAccounts\":[{\"result\":\"r\xc3\xa9\"}]}",
    };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        CHECK_MSG(agree(no[i]) == GD_TRSCAN_DECLINED, "must decline: %s", no[i]);
}

static int taken(const char *body, size_t len, void *user)
{
    (void)user;
    return agree_len(body, len) == GD_TRSCAN_OK;
}

static void test_truncations(void)
{
    check_prefixes_declined(FULL, strlen(FULL), taken, NULL);
}

static void test_mutations(void)
{
    static const char subst[] = {'"', '\\', ',', ':', '[', ']', '{', '}', ' ', '\n', 'n', '-',
                                 '.', 'e', '0', '9', 'a', '\0', '\x01', '\x7f', '\x80'};
    const char *seed = "{\"accounts\":[{\"accountId\":\"12\",\"features\":[{\"name\":\"N\","
                       "\"freeTrialDaysRemaining\":15}]}],\"unprocessedAccounts\":"
                       "[{\"accountId\":\"3\",\"result\":\"r\"}]}";
    check_mutants(&seed, 1, subst, sizeof subst, taken, NULL);
}

int main(void)
{
    test_takes_the_plain_answers();
    test_declines_the_unusual();
    test_truncations();
    test_mutations();
    return t_done();
}

/* SPDX-License-Identifier: Apache-2.0 */
/* sts:GetCallerIdentity over the query protocol: a form POST to the
 * regional endpoint, answered with XML. */
#include "aws/sts.h"

#include "aws/xml_min_internal.h"

#include <string.h>

static int copy_field(const gd_aws_response *resp, const char *tag, char *out, size_t n,
                      const char *region, gd_err *err)
{
    int rc = gd_xml_text_in(resp->body.data, resp->body.len, "GetCallerIdentityResult", tag, out,
                            n);
    if (rc == 0 && out[0])
        return 0;
    return gd_err_set(err, GD_E_PARSE, "%s GetCallerIdentity: response has no usable <%s>%s",
                      region, tag, rc == GD_E_TOO_BIG ? " (too long)" : "");
}

/* An account id is exactly 12 digits; anything else is refused. */
static int check_account(const char *account, const char *region, gd_err *err)
{
    size_t n = strlen(account);
    for (size_t i = 0; i < n; i++)
        if (account[i] < '0' || account[i] > '9')
            n = 0;
    if (n != 12)
        return gd_err_set(err, GD_E_PARSE, "%s GetCallerIdentity: account id is not 12 digits",
                          region);
    return 0;
}

int gd_sts_get_caller_identity(gd_aws_client *c, const char *region, gd_caller_identity *out,
                               gd_err *err)
{
    static const char body[] = "Action=GetCallerIdentity&Version=2011-06-15";
    gd_aws_request req = {
        .service = "sts",
        .region = region,
        .operation = "GetCallerIdentity",
        .method = "POST",
        .path = "/",
        .content_type = "application/x-www-form-urlencoded; charset=utf-8",
        .body = body,
        .body_len = sizeof body - 1,
        .expect_json = -1,
        .expect_xml = "GetCallerIdentityResult",
    };
    gd_aws_response resp;
    memset(out, 0, sizeof *out);
    gd_aws_response_init(&resp);
    int rc = gd_aws_call(c, &req, &resp, err);
    if (!rc)
        rc = copy_field(&resp, "Account", out->account, sizeof out->account, region, err);
    if (!rc)
        rc = check_account(out->account, region, err);
    if (!rc)
        rc = copy_field(&resp, "Arn", out->arn, sizeof out->arn, region, err);
    if (!rc)
        rc = copy_field(&resp, "UserId", out->user_id, sizeof out->user_id, region, err);
    if (rc)
        memset(out, 0, sizeof *out);
    gd_aws_response_free(&resp);
    return rc;
}

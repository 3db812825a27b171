/* SPDX-License-Identifier: Apache-2.0 */
/* The resource table and console links of report/finding_links.h.
 *
 * Paths follow the GuardDuty API's Resource shape (GetFindings:
 * resource.<type>Details); for list-valued details (s3BucketDetails) the
 * first element is the resource the finding is about. A type not in the
 * table, or a finding without that detail, has no resource id. */
#include "report/finding_links.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/names.h"

static const gd_resource_path PATHS[] = {
    {"AccessKey", "$.resource.accessKeyDetails.accessKeyId"},
    {"Container", "$.resource.containerDetails.name"},
    {"EBSSnapshot", "$.resource.ebsSnapshotDetails.snapshotArn"},
    {"EBSVolume", "$.resource.ebsVolumeDetails.scannedVolumeDetails[0].volumeArn"},
    {"EC2Image", "$.resource.ec2ImageDetails.imageArn"},
    {"ECSCluster", "$.resource.ecsClusterDetails.name"},
    {"EKSCluster", "$.resource.eksClusterDetails.name"},
    {"Instance", "$.resource.instanceDetails.instanceId"},
    {"KubernetesCluster", "$.resource.eksClusterDetails.name"},
    {"Lambda", "$.resource.lambdaDetails.functionName"},
    {"RDSDBInstance", "$.resource.rdsDbInstanceDetails.dbInstanceIdentifier"},
    {"RDSLimitlessDB", "$.resource.rdsLimitlessDbDetails.dbShardGroupIdentifier"},
    {"RecoveryPoint", "$.resource.recoveryPointDetails.recoveryPointArn"},
    {"S3Bucket", "$.resource.s3BucketDetails[0].name"},
    {"S3Object", "$.resource.s3BucketDetails[0].s3ObjectDetails[0].objectArn"},
};

const gd_resource_path *gd_resource_paths(size_t *n)
{
    *n = sizeof PATHS / sizeof *PATHS;
    return PATHS;
}

const char *gd_resource_paths_json(void)
{
    static char json[2048];
    if (json[0])
        return json;
    size_t w = (size_t)snprintf(json, sizeof json, "{");
    for (size_t i = 0; i < sizeof PATHS / sizeof *PATHS && w < sizeof json; i++)
        w += (size_t)snprintf(json + w, sizeof json - w, "%s\"%s\":\"%s\"", i ? "," : "",
                              PATHS[i].resource_type, PATHS[i].json_path);
    if (w + 2 > sizeof json)
        json[0] = '\0';
    else
        snprintf(json + w, sizeof json - w, "}");
    return json;
}

static int finding_id_valid(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++)
        if (!isalnum((unsigned char)id[n]) || n >= 64)
            return 0;
    return n > 0;
}

int gd_finding_console_url(const char *region, const char *finding_id, char *out, size_t n)
{
    if (n)
        out[0] = '\0';
    if (!region || !finding_id || !gd_region_name_valid(region) || !finding_id_valid(finding_id))
        return -1;
    const char *domain = !strncmp(region, "cn-", 3)       ? "console.amazonaws.cn"
                         : !strncmp(region, "us-gov-", 7) ? "console.amazonaws-us-gov.com"
                                                          : "console.aws.amazon.com";
    int w = snprintf(out, n, "https://%s.%s/guardduty/home?region=%s#/findings?macros=current&fId=%s",
                     region, domain, region, finding_id);
    if (w < 0 || (size_t)w >= n) {
        if (n)
            out[0] = '\0';
        return -1;
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The resource table of common/resource_paths.h.
 *
 * Paths follow the GuardDuty API's Resource shape (GetFindings:
 * resource.<type>Details); for list-valued details (s3BucketDetails) the
 * first element is the resource the finding is about. A type not in the
 * table, or a finding without that detail, has no resource id. */
#include "common/resource_paths.h"

#include <stdio.h>
#include <string.h>

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

const char *gd_resource_path_of(const char *resource_type)
{
    for (size_t i = 0; resource_type && i < sizeof PATHS / sizeof *PATHS; i++)
        if (!strcmp(PATHS[i].resource_type, resource_type))
            return PATHS[i].json_path;
    return NULL;
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

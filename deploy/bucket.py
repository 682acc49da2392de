"""The stage's site bucket: private, read only by the stage's CloudFront distribution.

No website hosting (its endpoint speaks plain HTTP and sends no headers) and Block Public
Access on: the distribution reads the objects through Origin Access Control, and the
bucket policy admits that one distribution and nothing else.
"""

import json

from botocore.exceptions import ClientError

BLOCK_ALL_PUBLIC_ACCESS = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def regional_domain(bucket, region):
    """The bucket's REST endpoint, as CloudFront's S3 origin names it."""
    return f"{bucket}.s3.{region}.amazonaws.com"


def ensure_private_bucket(s3, bucket, region, log=print):
    """Create ``bucket`` if missing; either way no ACLs, no public access, no website."""
    if not bucket_exists(s3, bucket):
        arguments = {"Bucket": bucket}
        if region != "us-east-1":  # us-east-1 is the one region that takes no constraint
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**arguments)
        log(f"bucket {bucket}: created")
    s3.put_bucket_ownership_controls(
        Bucket=bucket,
        OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    )
    s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration=BLOCK_ALL_PUBLIC_ACCESS
    )
    if _has_website(s3, bucket):  # left by a deploy from before CloudFront
        s3.delete_bucket_website(Bucket=bucket)
        log(f"bucket {bucket}: website hosting off (CloudFront serves the site now)")


def admit_only(s3, bucket, distribution_arn):
    """The bucket policy: GetObject for CloudFront on behalf of this distribution, only."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OnlyTheStagesDistribution",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def _has_website(s3, bucket):
    try:
        s3.get_bucket_website(Bucket=bucket)
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchWebsiteConfiguration":
            return False
        raise
    return True


def bucket_exists(s3, bucket):
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchBucket"):
            return False
        raise
    return True


def object_keys(s3, bucket):
    paginator = s3.get_paginator("list_objects_v2")
    return [
        item["Key"]
        for page in paginator.paginate(Bucket=bucket)
        for item in page.get("Contents", [])
    ]


def delete_objects(s3, bucket, keys):
    keys = list(keys)
    for start in range(0, len(keys), 1000):  # DeleteObjects takes 1000 keys at most
        batch = [{"Key": key} for key in keys[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})


def delete_bucket(s3, bucket, log=print):
    """Empty and delete ``bucket``; False when there was none."""
    if not bucket_exists(s3, bucket):
        return False
    delete_objects(s3, bucket, object_keys(s3, bucket))
    s3.delete_bucket(Bucket=bucket)
    log(f"bucket {bucket}: emptied and deleted")
    return True

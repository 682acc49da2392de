"""The stage's S3 website bucket: created when missing, public read only by its policy."""

import json

from botocore.exceptions import ClientError

from deploy.errors import DeployError

# Regions whose website endpoint is ``s3-website-<region>``; later ones use a dot.
DASH_WEBSITE_REGIONS = {
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "eu-west-1",
    "sa-east-1",
    "us-gov-west-1",
}
INDEX_DOCUMENT = "index.html"


def website_origin(bucket, region):
    """The website endpoint's origin (S3 website endpoints are plain HTTP)."""
    separator = "-" if region in DASH_WEBSITE_REGIONS else "."
    return f"http://{bucket}.s3-website{separator}{region}.amazonaws.com"


def ensure_website_bucket(s3, bucket, region, log=print):
    """Create ``bucket`` if missing and make it a website that a bucket policy may open."""
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
    # ACLs stay blocked; only the bucket policy written by allow_public_read opens objects.
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    s3.put_bucket_website(
        Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": INDEX_DOCUMENT}}
    )


def allow_public_read(s3, bucket, keys):
    """Let anyone GET exactly ``keys``: nothing else in the bucket, no listing."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicReadOfTheSite",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": [f"arn:aws:s3:::{bucket}/{key}" for key in sorted(keys)],
            }
        ],
    }
    try:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    except ClientError as error:
        if error.response["Error"]["Code"] != "AccessDenied":
            raise
        raise DeployError(
            f"S3 refused a public policy on {bucket} ({error}): is S3 Block Public Access "
            "on for the whole account? The site needs it off for this bucket's policy."
        ) from None


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

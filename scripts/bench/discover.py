#!/usr/bin/env python3
"""`discover` over 5,000 resources in moto across 3 regions: wall time and AWS calls, beside a
boto3 reference that lists the same things in the same run.

Starts moto_server on a free port of 127.0.0.1 and seeds, in us-east-1, eu-west-1 and
ap-southeast-2: EC2 instances (each with its root volume, half of them tagged), DynamoDB tables,
SNS topics, CloudWatch alarms, security groups and S3 buckets, about 5,000 resources in all. Then,
--rounds times each, side by side:
  gaffer     `gaffer report discover --region us-east-1,eu-west-1,ap-southeast-2 --json` (release
             build): in each region the tagging API and the 12 service listings, paged to the end,
             8 calls in flight.
  reference  boto3 in one thread, the same listings in the same regions with its paginators: the
             pages the listings require, counted the same way.
Then once each over every region moto offers (38, 35 of them empty), as `region: all` asks.
Calls are counted from moto's request log, so both are counted by the server. Prints one JSON object.

    scripts/bench/discover.py [--binary .build/release/gaffer] [--rounds 3]
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, time

import boto3
from botocore.config import Config

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(endpoint, service, region):
    return boto3.client(service, region_name=region, endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="y",
                        config=Config(retries={"max_attempts": 1}))


def seed(endpoint):
    per_region = {"instances": 700, "tables": 100, "topics": 60, "alarms": 60, "groups": 40, "buckets": 30}
    for region in REGIONS:
        ec2 = client(endpoint, "ec2", region)
        ids = [i["InstanceId"] for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=per_region["instances"],
                                                        MaxCount=per_region["instances"], InstanceType="t3.nano")["Instances"]]
        for start in range(0, len(ids) // 2, 200):
            ec2.create_tags(Resources=ids[start:min(start + 200, len(ids) // 2)], Tags=[{"Key": "team", "Value": "web"}])
        for n in range(per_region["groups"]):
            ec2.create_security_group(GroupName=f"bench-{n}", Description="bench")
        dynamodb = client(endpoint, "dynamodb", region)
        for n in range(per_region["tables"]):
            dynamodb.create_table(TableName=f"bench-{n}", BillingMode="PAY_PER_REQUEST",
                                  AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                  KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        sns = client(endpoint, "sns", region)
        for n in range(per_region["topics"]):
            sns.create_topic(Name=f"bench-{n}", Tags=[{"Key": "team", "Value": "web"}])
        cloudwatch = client(endpoint, "cloudwatch", region)
        for n in range(per_region["alarms"]):
            cloudwatch.put_metric_alarm(AlarmName=f"bench-{n}", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=60,
                                        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold")
        s3 = client(endpoint, "s3", region)
        for n in range(per_region["buckets"]):
            name = f"bench-{region}-{n}"
            if region == "us-east-1":
                s3.create_bucket(Bucket=name)
            else:
                s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def reference(endpoint, regions=None):
    """The same listings with boto3's paginators, one thread: what the pages require."""
    count = 0
    regions = regions or [r["RegionName"] for r in client(endpoint, "ec2", "us-east-1").describe_regions()["Regions"]]
    for region in regions:
        def pages(service, operation, key, **kwargs):
            nonlocal count
            for page in client(endpoint, service, region).get_paginator(operation).paginate(**kwargs):
                count += len(page.get(key, []))
        try:
            pages("resourcegroupstaggingapi", "get_resources", "ResourceTagMappingList")
        except Exception:
            pass
        pages("s3", "list_buckets", "Buckets", BucketRegion=region)
        pages("dynamodb", "list_tables", "TableNames")
        pages("lambda", "list_functions", "Functions")
        pages("ec2", "describe_instances", "Reservations")
        pages("ec2", "describe_volumes", "Volumes")
        pages("ec2", "describe_security_groups", "SecurityGroups")
        pages("ec2", "describe_vpcs", "Vpcs")
        pages("rds", "describe_db_instances", "DBInstances")
        pages("sns", "list_topics", "Topics")
        pages("cloudwatch", "describe_alarms", "MetricAlarms")
        ecs = client(endpoint, "ecs", region)
        for cluster in ecs.list_clusters()["clusterArns"]:
            ecs.list_services(cluster=cluster)
        pages("cloudformation", "describe_stacks", "Stacks")
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/gaffer"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile("w+", suffix=".log")
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    data = tempfile.mkdtemp(prefix="gaffer-discover-bench-")

    def requests():
        log.flush()
        with open(log.name) as f:
            return sum(1 for line in f if '" 200 ' in line or '" 400 ' in line or '" 404 ' in line or '" 500 ' in line)

    try:
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        started = time.time()
        seed(endpoint)
        seeded_s = time.time() - started
        environment = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y", AWS_ENDPOINT_URL=endpoint,
                           AWS_REGION="us-east-1", GAFFER_DATA_DIRECTORY=data)
        def gaffer(region):
            before = requests()
            started = time.time()
            answer = subprocess.run([args.binary, "report", "discover", "--region", region, "--json"], env=environment, check=True,
                                    capture_output=True)
            seconds = time.time() - started
            report = json.loads(answer.stdout)
            return {"seconds": round(seconds, 2), "calls": requests() - before, "resources": len(report["resources"]),
                    "gaps": len(report["gaps"]), "regions": len(report["regions"])}

        def boto(regions):
            before = requests()
            started = time.time()
            listed = reference(endpoint, regions)
            return {"seconds": round(time.time() - started, 2), "calls": requests() - before, "listed": listed}

        # One untimed round each: moto builds each region's services on first use.
        boto(None)
        gaffer("all")
        gaffer_runs, reference_runs = [], []
        for _ in range(args.rounds):
            gaffer_runs.append(gaffer(",".join(REGIONS)))
            reference_runs.append(boto(REGIONS))
        print(json.dumps({
            "benchmark": "discover", "seeded_regions": REGIONS, "seed_seconds": round(seeded_s, 1),
            "gaffer": {"median_s": statistics.median(r["seconds"] for r in gaffer_runs), "runs": gaffer_runs},
            "reference": {"median_s": statistics.median(r["seconds"] for r in reference_runs), "runs": reference_runs},
            "all_regions": {"gaffer": gaffer("all"), "reference": boto(None)},
        }, indent=1))
    finally:
        moto.terminate()
        moto.wait()
        subprocess.run(["rm", "-rf", data])


if __name__ == "__main__":
    main()

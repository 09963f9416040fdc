"""The yardstick for gaffer-aws-bench: botocore (the AWS CLI's signer) signing the same
1 KB DynamoDB-style request on one core, so the two figures come from one run."""
import json
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

body = ('{"TableName":"orders","Key":{"id":{"S":"' + "x" * 950 + '"}}}').encode()
credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "t" * 300)
signer = SigV4Auth(credentials, "dynamodb", "eu-west-1")
rounds = []
for _ in range(5):
    count = 5000
    start = time.perf_counter()
    for _ in range(count):
        request = AWSRequest(method="POST", url="https://dynamodb.eu-west-1.amazonaws.com/", data=body, headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Length": str(len(body))})
        signer.add_auth(request)
    rounds.append(count / (time.perf_counter() - start))
median = sorted(rounds)[len(rounds) // 2]
print(json.dumps({"benchmark": "sigv4-botocore", "body_bytes": len(body), "signatures_per_s": int(median),
                  "microseconds_per_signature": round(1e6 / median, 2)}, sort_keys=True))

"""Where the database is.

DATABASE_URL when it is set (tests, a laptop); in AWS the stack sets DATABASE_SECRET_ARN, the
secret RDS keeps the password in, and DATABASE_HOST, DATABASE_PORT and DATABASE_NAME. The secret
is read once, when the service starts; the password is never logged.
"""
import json
import os
from urllib.parse import quote


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    arn = os.environ.get("DATABASE_SECRET_ARN")
    host = os.environ.get("DATABASE_HOST")
    if not arn or not host:
        raise RuntimeError("set DATABASE_URL, or DATABASE_SECRET_ARN and DATABASE_HOST (the stack sets both)")
    import boto3

    secret = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    user = quote(secret["username"], safe="")
    password = quote(secret["password"], safe="")
    port = os.environ.get("DATABASE_PORT", "5432")
    name = os.environ.get("DATABASE_NAME", "app")
    return f"postgresql+psycopg://{user}:{password}@{host}:{port}/{name}"

"""store: an API on API Gateway and Lambda written by Gaffer for acme/infra#17."""

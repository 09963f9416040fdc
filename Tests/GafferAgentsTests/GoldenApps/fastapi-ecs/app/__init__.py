"""store: a FastAPI service written by Gaffer for acme/infra#17."""

"""What a client may send: every field of the entity with its type, and nothing else."""
import math


def problems(fields: dict, body) -> list:
    if not isinstance(body, dict):
        return ["the body must be a JSON object"]
    found = [f"{key}: is not a field (fields: {', '.join(fields)})" for key in body if key not in fields]
    for key, kind in fields.items():
        if key not in body:
            found.append(f"{key}: is required")
        elif not is_a(kind, body[key]):
            found.append(f"{key}: must be {'an' if kind == 'integer' else 'a'} {kind}")
    return found


def is_a(kind: str, value) -> bool:
    if kind == "string":
        return isinstance(value, str) and 1 <= len(value) <= 2000
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)

"""Block-style YAML for job definitions and device configurations (standard library only).

Mappings and lists in block style, every string double-quoted with JSON's escapes (a subset of
YAML's), so a regex with `:`, `#`, `\\` or a `\\r` reads back exactly; numbers, booleans and null
bare. Enough for what images/lava/ writes; not a general YAML writer.
"""

import json


def scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(str(v))


def lines(data, indent=0):
    pad = " " * indent
    out = []
    if isinstance(data, dict):
        if not data:
            return [pad + "{}"]
        for k, v in data.items():
            key = scalar(k) if not (isinstance(k, str) and k.replace("_", "").replace("-", "").replace(".", "").isalnum()) \
                else k
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{key}:")
                out += lines(v, indent + 2)
            else:
                out.append(f"{pad}{key}: {inline(v)}")
    elif isinstance(data, list):
        if not data:
            return [pad + "[]"]
        for v in data:
            if isinstance(v, (dict, list)) and v:
                sub = lines(v, indent + 2)
                out.append(f"{pad}- {sub[0].lstrip()}")
                out += sub[1:]
            else:
                out.append(f"{pad}- {inline(v)}")
    else:
        out.append(pad + scalar(data))
    return out


def inline(v):
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[]"
    return scalar(v)


def dump(data):
    return "\n".join(lines(data)) + "\n"

#!/usr/bin/python3
"""validate_schema.py SCHEMA FILE [KEY]

Validates the JSON document FILE (or its top-level member KEY) against the
JSON Schema SCHEMA (the draft its $schema names, 2020-12 when it names
none), after checking the schema itself, and
prints every error with its path.  Exit 0 when valid, 1 when not.
"""
import json
import sys

import jsonschema


def main():
    schema_path, doc_path = sys.argv[1], sys.argv[2]
    with open(schema_path) as f:
        schema = json.load(f)
    with open(doc_path) as f:
        doc = json.load(f)
    if len(sys.argv) > 3:
        doc = doc[sys.argv[3]]
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(doc),
                    key=lambda e: [str(p) for p in e.path])
    for e in errors:
        where = "/".join(str(p) for p in e.path) or "(top)"
        print(f"{doc_path}: {where}: {e.message}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

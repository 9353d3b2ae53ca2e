"""Validates an OpenAPI 3.1 document against the specification's own JSON Schema (the copy
schemathesis ships, with its validator) and prints each violation, one a line; exits 1
when there is any."""
import json
import sys

from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

with open(sys.argv[1], encoding="utf-8") as file:
    document = json.load(file)
errors = [f"{'/'.join(map(str, error.instance_path))}: {error.message}" for error in OPENAPI_31_VALIDATOR.iter_errors(document)]
print("\n".join(errors))
sys.exit(1 if errors else 0)

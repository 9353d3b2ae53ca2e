"""Parses a Prometheus text file with prometheus_client's own parser and prints its
families as JSON: {name: {"type": ..., "samples": [[name, labels, value], ...]}}."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

with open(sys.argv[1], encoding="utf-8") as file:
    text = file.read()
families = {
    family.name: {"type": family.type, "samples": [[s.name, s.labels, s.value] for s in family.samples]}
    for family in text_string_to_metric_families(text)
}
json.dump(families, sys.stdout)

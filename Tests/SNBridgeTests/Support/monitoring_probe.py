#!/usr/bin/env python3
"""What the monitoring end-to-end tests read from snbridge's HTTP listener, as one JSON line on stdout.

  monitoring_probe.py get URL      {"status": 200, "content_type": "...", "body": "...", "headers": {name: value}}
  monitoring_probe.py metrics URL  {"types": {family: type}, "samples": {"name{label=value,...}": value}}
  monitoring_probe.py stream URL   one line per server-sent event, {"event": ..., "data": ...}, until killed

`metrics` parses the exposition with prometheus_client's own text-format parser, so a format error fails here.
"""
import json
import sys
import urllib.error
import urllib.request


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def stream(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        print(json.dumps({"event": "open", "data": response.headers.get("Content-Type", "")}), flush=True)
        event, data = "message", []
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line == "":
                if data:
                    print(json.dumps({"event": event, "data": "\n".join(data)}), flush=True)
                event, data = "message", []
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())


def main():
    command, url = sys.argv[1], sys.argv[2]
    if command == "stream":
        stream(url)
        return
    status, headers, body = get(url)
    content_type = headers.get("Content-Type", "")
    if command == "get":
        fields = {name.lower(): value for name, value in headers.items()}
        print(json.dumps({"status": status, "content_type": content_type, "body": body, "headers": fields}))
        return
    from prometheus_client.parser import text_string_to_metric_families

    types, samples = {}, {}
    for family in text_string_to_metric_families(body):
        types[family.name] = family.type
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    print(json.dumps({"status": status, "content_type": content_type, "types": types, "samples": samples}))


if __name__ == "__main__":
    main()

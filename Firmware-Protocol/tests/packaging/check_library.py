#!/usr/bin/env python3
"""Checks snbridge-device/ against the packaging rules it claims to follow, without network access:

* Arduino library specification (1.5 format): library.properties fields and values, src/ layout, examples/<name>/
  <name>.ino, the `includes` headers present, no files the Arduino IDE refuses or that do not belong;
* PlatformIO library.json: valid JSON, required fields, srcDir/includeDir and example files that exist;
* ESP-IDF component: CMakeLists.txt registering every library source and nothing outside the folder,
  idf_component.yml with a version.

Prints one line per problem and exits 1 if there was any.
"""
import json
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "snbridge-device")
root = os.path.abspath(root)
problems = []


def problem(text):
    problems.append(text)
    print(f"packaging: {text}")


def read(name):
    with open(os.path.join(root, name), encoding="utf-8") as f:
        return f.read()


# ---- Arduino: library.properties ----
properties = {}
for number, line in enumerate(read("library.properties").splitlines(), 1):
    if not line.strip() or line.startswith("#"):
        continue
    if "=" not in line:
        problem(f"library.properties:{number}: not key=value")
        continue
    key, value = line.split("=", 1)
    properties[key] = value
for key in ["name", "version", "author", "maintainer", "sentence", "paragraph", "category", "url", "architectures"]:
    if not properties.get(key):
        problem(f"library.properties: required field {key} missing or empty")
name = properties.get("name", "")
if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _.\-]*", name) or len(name) > 63:
    problem(f"library.properties: name {name!r} breaks the naming rules")
if not re.fullmatch(r"\d+\.\d+\.\d+", properties.get("version", "")):
    problem("library.properties: version is not semver MAJOR.MINOR.PATCH")
categories = {"Display", "Communication", "Signal Input/Output", "Sensors", "Device Control", "Timing",
              "Data Storage", "Data Processing", "Other"}
if properties.get("category") not in categories:
    problem(f"library.properties: category {properties.get('category')!r} is not one of the specification's")
if not re.match(r"https?://", properties.get("url", "")):
    problem("library.properties: url is not an http(s) URL")
if properties.get("sentence", "") and properties.get("paragraph", "").startswith(properties["sentence"]):
    problem("library.properties: paragraph repeats the sentence (the IDE shows both)")

# ---- Arduino: layout ----
src = os.path.join(root, "src")
if not os.path.isdir(src):
    problem("src/ missing (1.5 library format)")
sources = sorted(f for f in os.listdir(src) if f.endswith(".c")) if os.path.isdir(src) else []
for header in properties.get("includes", "").split(","):
    if header.strip() and not os.path.isfile(os.path.join(src, header.strip())):
        problem(f"includes names {header.strip()}, which is not in src/")
if os.path.isdir(os.path.join(root, "utility")):
    problem("utility/ is for the 1.0 format only")
examples = os.path.join(root, "examples")
for example in sorted(os.listdir(examples)) if os.path.isdir(examples) else []:
    sketch = os.path.join(examples, example, example + ".ino")
    if not os.path.isfile(sketch):
        problem(f"examples/{example}: no {example}.ino (a sketch folder holds a sketch of its own name)")
for directory, _, files in os.walk(root):
    for f in files:
        path = os.path.join(directory, f)
        if os.path.islink(path):
            problem(f"{os.path.relpath(path, root)}: symlink (the Library Manager refuses them)")
        if f.endswith((".exe", ".o", ".a", ".elf")) or f == ".development":
            problem(f"{os.path.relpath(path, root)}: does not belong in a published library")

# ---- PlatformIO: library.json ----
try:
    manifest = json.loads(read("library.json"))
except ValueError as error:
    problem(f"library.json: not JSON: {error}")
    manifest = {}
for key in ["name", "version", "description", "frameworks", "platforms"]:
    if key not in manifest:
        problem(f"library.json: {key} missing")
if manifest.get("name") != name or manifest.get("version") != properties.get("version"):
    problem("library.json: name/version differ from library.properties")
build = manifest.get("build", {})
for key in ["srcDir", "includeDir"]:
    if not os.path.isdir(os.path.join(root, build.get(key, "."))):
        problem(f"library.json: build.{key} is not a folder")
for example in manifest.get("examples", []):
    for f in example.get("files", []):
        if not os.path.isfile(os.path.join(root, example.get("base", ""), f)):
            problem(f"library.json: example file {f} missing")

# ---- ESP-IDF component ----
cmake = read("CMakeLists.txt")
if "idf_component_register" not in cmake:
    problem("CMakeLists.txt: no idf_component_register")
if ".." in cmake or "${" in cmake.replace("${CMAKE_CURRENT_LIST_DIR}", ""):
    problem("CMakeLists.txt: refers to paths outside the component")
for source in sources:
    if f"src/{source}" not in cmake:
        problem(f"CMakeLists.txt: src/{source} not registered")
if not re.search(r'INCLUDE_DIRS\s+"src"', cmake):
    problem("CMakeLists.txt: src is not the include directory")
yml = read("idf_component.yml")
version = re.search(r'^version:\s*"?([0-9.]+)"?', yml, re.M)
if not version or version.group(1) != properties.get("version"):
    problem("idf_component.yml: version missing or different from library.properties")

print(f"packaging: {len(sources)} sources, {len(os.listdir(examples))} example(s), "
      f"{'FAILED' if problems else 'PASSED'}")
sys.exit(1 if problems else 0)

#!/usr/bin/env python3
"""Checks the Flatpak packaging without flatpak-builder (which needs Flathub).

Needs Python 3.11+ (tomllib) and PyYAML; nothing else. Checks:
  manifest   dev.wharf.Wharf.yml parses as YAML and has the expected shape
  identity   the app id is dev.wharf.Wharf, the command is wharf, and the desktop file,
             metainfo and icons are installed under that id; the desktop file's Icon= and
             the metainfo's <id> agree
  sources    cargo-sources.json matches Cargo.lock: one archive with Cargo.lock's sha256 for
             every crates.io package, and no crate that Cargo.lock lacks
  files      every repository file the build installs exists (build output such as
             target/release/wharf excepted); each PNG icon is the size its folder names

Exit 0 when all pass, 1 when any fails (each failure printed as FAIL), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import struct
import sys
import tomllib
import xml.etree.ElementTree as ET
from configparser import ConfigParser
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover - reported, not tested
    sys.exit("check_manifest.py: PyYAML is missing (pip install pyyaml, or apt-get install python3-yaml)")

APP_ID = "dev.wharf.Wharf"
COMMAND = "wharf"
CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"
CRATE_URL = "https://static.crates.io/crates/{name}/{name}-{version}.crate"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Files the build itself produces: never looked for in the repository.
BUILD_OUTPUTS = ("target/",)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


class Report:
    def __init__(self) -> None:
        self.failures = 0

    def ok(self, what: str) -> None:
        print(f"  ok       {what}")

    def fail(self, what: str) -> None:
        self.failures += 1
        print(f"  FAIL     {what}")

    def note(self, what: str) -> None:
        print(f"  note     {what}")

    def check(self, good: bool, what: str) -> bool:
        (self.ok if good else self.fail)(what)
        return good


def load_manifest(path: Path, report: Report) -> dict | None:
    print(f"manifest: {path.relative_to(ROOT)}")
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        report.fail(f"cannot be read as YAML: {error}")
        return None
    if not isinstance(manifest, dict):
        report.fail("is not a YAML mapping")
        return None
    report.ok("parses as YAML")
    for key, expected in (
        ("runtime", "org.freedesktop.Platform"),
        ("sdk", "org.freedesktop.Sdk"),
    ):
        report.check(manifest.get(key) == expected, f"{key} is {expected} (found {manifest.get(key)!r})")
    version = manifest.get("runtime-version")
    report.check(
        isinstance(version, str) and re.fullmatch(r"\d\d\.08", version) is not None,
        f"runtime-version is a quoted YY.08 branch (found {version!r})",
    )
    report.check(
        "org.freedesktop.Sdk.Extension.rust-stable" in (manifest.get("sdk-extensions") or []),
        "sdk-extensions has org.freedesktop.Sdk.Extension.rust-stable",
    )
    return manifest


def wharf_module(manifest: dict, report: Report) -> dict | None:
    modules = [m for m in manifest.get("modules") or [] if isinstance(m, dict)]
    found = [m for m in modules if m.get("name") == COMMAND]
    if len(found) != 1:
        report.fail(f"exactly one module named {COMMAND!r} (found {len(found)})")
        return None
    return found[0]


def install_commands(module: dict, report: Report) -> list[tuple[list[str], str]]:
    """(sources, destination) of each `install` build command, ${FLATPAK_DEST} read as /app."""
    pairs = []
    for command in module.get("build-commands") or []:
        words = shlex.split(command.replace("${FLATPAK_DEST}", "/app").replace("$FLATPAK_DEST", "/app"))
        if not words or words[0] != "install":
            continue
        positional, target_dir, i = [], None, 1
        while i < len(words):
            word = words[i]
            if word in ("-m", "--mode", "-o", "--owner", "-g", "--group"):
                i += 2
                continue
            if word in ("-t", "--target-directory"):
                target_dir = words[i + 1]
                i += 2
                continue
            if word.startswith("--target-directory="):
                target_dir = word.split("=", 1)[1]
            elif not word.startswith("-"):
                positional.append(word)
            i += 1
        if target_dir is not None:
            pairs.extend(([src], f"{target_dir}/{Path(src).name}") for src in positional)
        elif len(positional) == 2:
            pairs.append(([positional[0]], positional[1]))
        else:
            report.fail(f"cannot read this install command (give one source and one destination): {command}")
    return pairs


def check_identity(manifest: dict, installs: list[tuple[list[str], str]], report: Report) -> None:
    print("identity:")
    app_id = manifest.get("id", manifest.get("app-id"))
    report.check(app_id == APP_ID, f"app id is {APP_ID} (found {app_id!r})")
    report.check(manifest.get("command") == COMMAND, f"command is {COMMAND} (found {manifest.get('command')!r})")

    destinations = {dest: srcs[0] for srcs, dest in installs}
    report.check(f"/app/bin/{COMMAND}" in destinations, f"installs /app/bin/{COMMAND}")
    expected = {
        f"/app/share/applications/{APP_ID}.desktop": f"assets/{APP_ID}.desktop",
        f"/app/share/metainfo/{APP_ID}.metainfo.xml": f"assets/{APP_ID}.metainfo.xml",
        f"/app/share/icons/hicolor/scalable/apps/{APP_ID}.svg": f"assets/icons/{APP_ID}.svg",
    }
    for size in ICON_SIZES:
        folder = f"{size}x{size}/apps/{APP_ID}.png"
        expected[f"/app/share/icons/hicolor/{folder}"] = f"assets/icons/hicolor/{folder}"
    for dest, src in expected.items():
        report.check(destinations.get(dest) == src, f"installs {src} as {dest}")
    for dest in destinations:
        if not dest.startswith("/app/"):
            report.fail(f"installs outside /app: {dest}")
        if re.match(r"/app/share/(applications|metainfo|appdata)/", dest) and not Path(dest).name.startswith(APP_ID + "."):
            report.fail(f"{dest} is not named after {APP_ID} (Flatpak exports only files named after the app id)")

    desktop = ROOT / "assets" / f"{APP_ID}.desktop"
    if desktop.is_file():
        parser = ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str  # keys are case-sensitive
        try:
            parser.read(desktop, encoding="utf-8")
            entry = parser["Desktop Entry"]
        except Exception as error:  # noqa: BLE001 - any parse error is a failure to report
            report.fail(f"{desktop.relative_to(ROOT)} cannot be read: {error}")
        else:
            report.check(entry.get("Icon") == APP_ID, f"desktop file Icon= is {APP_ID} (found {entry.get('Icon')!r})")
            exec_line = shlex.split(entry.get("Exec", ""))
            report.check(
                bool(exec_line) and exec_line[0] == COMMAND,
                f"desktop file Exec= runs {COMMAND} (found {entry.get('Exec')!r})",
            )
    else:
        report.fail(f"{desktop.relative_to(ROOT)} is missing")

    metainfo = ROOT / "assets" / f"{APP_ID}.metainfo.xml"
    if metainfo.is_file():
        try:
            component = ET.parse(metainfo).getroot()
        except ET.ParseError as error:
            report.fail(f"{metainfo.relative_to(ROOT)} is not well-formed XML: {error}")
        else:
            found_id = (component.findtext("id") or "").strip()
            report.check(found_id == APP_ID, f"metainfo <id> is {APP_ID} (found {found_id!r})")
            launchables = [(el.text or "").strip() for el in component.findall("launchable")]
            if launchables:
                report.check(
                    f"{APP_ID}.desktop" in launchables,
                    f"metainfo <launchable> names {APP_ID}.desktop (found {launchables})",
                )
    else:
        report.fail(f"{metainfo.relative_to(ROOT)} is missing")


def check_sources(module: dict, report: Report) -> None:
    print("sources:")
    sources = module.get("sources") or []
    dirs = [s for s in sources if isinstance(s, dict) and s.get("type") == "dir"]
    report.check(
        len(dirs) == 1 and (HERE / dirs[0].get("path", "")).resolve() == ROOT,
        "the repository itself is a dir source (path: ../..)",
    )
    report.check("cargo-sources.json" in sources, "cargo-sources.json is a source of the wharf module")
    env = (module.get("build-options") or {}).get("env") or {}
    report.check(
        env.get("CARGO_HOME") == f"/run/build/{COMMAND}/cargo",
        f"CARGO_HOME is /run/build/{COMMAND}/cargo, where cargo-sources.json puts cargo/config",
    )
    commands = module.get("build-commands") or []
    report.check(
        any(c.startswith("cargo --offline fetch") for c in commands)
        and any(c.startswith("cargo --offline build --release") for c in commands),
        "cargo fetches and builds --offline",
    )

    lock_path, generated_path = ROOT / "Cargo.lock", HERE / "cargo-sources.json"
    try:
        lock = tomllib.loads(lock_path.read_text(encoding="utf-8"))
        generated = json.loads(generated_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        report.fail(f"cannot read Cargo.lock or cargo-sources.json: {error}")
        return

    wanted: dict[tuple[str, str], str] = {}
    for package in lock.get("package", []):
        source = package.get("source")
        if source is None:
            continue  # the workspace's own crates
        if source != CRATES_IO:
            report.fail(f"{package['name']} {package['version']} comes from {source}: only crates.io is handled here")
            continue
        if "checksum" not in package:
            report.fail(f"{package['name']} {package['version']} has no checksum in Cargo.lock")
            continue
        wanted[(package["name"], package["version"])] = package["checksum"]

    # Archives by where they unpack: cargo/vendor/NAME-VERSION.
    archives: dict[str, list[dict]] = {}
    checksum_files: dict[str, str] = {}
    has_config = False
    if not isinstance(generated, list):
        report.fail("cargo-sources.json is not a JSON list of sources")
        generated = []
    for entry in generated:
        kind, dest = entry.get("type"), entry.get("dest", "")
        if kind == "archive":
            if not dest.startswith("cargo/vendor/"):
                report.fail(f"archive with an unexpected dest: {dest!r}")
                continue
            archives.setdefault(dest, []).append(entry)
        elif kind == "inline" and entry.get("dest-filename") == ".cargo-checksum.json":
            try:
                checksum_files[dest] = json.loads(entry.get("contents", "{}")).get("package")
            except (ValueError, AttributeError):
                report.fail(f"the .cargo-checksum.json for {dest} is not a JSON object")
        elif kind == "inline" and dest == "cargo" and entry.get("dest-filename") in ("config", "config.toml"):
            config = tomllib.loads(entry.get("contents", ""))
            has_config = (
                config.get("source", {}).get("crates-io", {}).get("replace-with") == "vendored-sources"
                and config.get("source", {}).get("vendored-sources", {}).get("directory") == "cargo/vendor"
            )
        else:
            report.fail(f"unexpected entry in cargo-sources.json: type {kind!r}, dest {dest!r}")

    report.check(has_config, "cargo-sources.json writes cargo/config that replaces crates.io with cargo/vendor")
    bad = 0
    for (name, version), checksum in sorted(wanted.items()):
        found = archives.get(f"cargo/vendor/{name}-{version}", [])
        where = f"{name} {version}"
        if len(found) != 1:
            bad += 1
            report.fail(f"{where}: {len(found)} archives in cargo-sources.json, expected 1")
            continue
        entry = found[0]
        if entry.get("sha256") != checksum:
            bad += 1
            report.fail(f"{where}: sha256 {entry.get('sha256')} in cargo-sources.json, {checksum} in Cargo.lock")
        if entry.get("url") != CRATE_URL.format(name=name, version=version):
            bad += 1
            report.fail(f"{where}: unexpected url {entry.get('url')}")
        if checksum_files.get(entry["dest"]) != checksum:
            bad += 1
            report.fail(f"{where}: its .cargo-checksum.json does not carry Cargo.lock's checksum")
    extra = sorted(set(archives) - {f"cargo/vendor/{name}-{version}" for name, version in wanted})
    for dest in extra:
        report.fail(f"{dest.removeprefix('cargo/vendor/')} is in cargo-sources.json but not in Cargo.lock")
    stray = sorted(set(checksum_files) - {e["dest"] for found in archives.values() for e in found})
    for dest in stray:
        report.fail(f"a .cargo-checksum.json for {dest}, which has no archive")
    if not bad and not extra and not stray:
        report.ok(f"all {len(wanted)} crates.io packages of Cargo.lock, each once with its sha256, and nothing else")


def png_size(path: Path) -> tuple[int, int] | None:
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def check_files(installs: list[tuple[list[str], str]], module: dict, report: Report) -> None:
    print("files:")
    missing, present = [], 0
    for sources, dest in installs:
        for src in sources:
            if src.startswith("/") or any(src.startswith(prefix) for prefix in BUILD_OUTPUTS):
                continue
            # A shell glob (assets/man/*.1) must match at least one file.
            if any(char in src for char in "*?["):
                matches = sorted(ROOT.glob(src))
                if matches:
                    present += len(matches)
                else:
                    missing.append(src)
                continue
            path = ROOT / src
            if not path.is_file():
                missing.append(src)
                continue
            present += 1
            size = re.search(r"/hicolor/(\d+)x(\d+)/", dest)
            if size and src.endswith(".png"):
                want = (int(size.group(1)), int(size.group(2)))
                got = png_size(path)
                report.check(got == want, f"{src} is a {want[0]}x{want[1]} PNG (found {got})")
    for entry in module.get("sources") or []:
        if isinstance(entry, str):
            src = entry
        elif isinstance(entry, dict) and entry.get("type") in ("file", "patch", "script") and "path" in entry:
            src = entry["path"]
        else:
            continue
        if (HERE / src).is_file():
            present += 1
        else:
            missing.append(f"packaging/flatpak/{src}")
    report.ok(f"{present} files the build reads are in the repository")
    for src in missing:
        report.fail(f"{src} is not in the repository")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args()

    report = Report()
    manifest = load_manifest(HERE / f"{APP_ID}.yml", report)
    if manifest is not None:
        module = wharf_module(manifest, report)
        if module is not None:
            installs = install_commands(module, report)
            check_identity(manifest, installs, report)
            check_sources(module, report)
            check_files(installs, module, report)
    if report.failures:
        print(f"check_manifest.py: {report.failures} check(s) failed")
        return 1
    print("check_manifest.py: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

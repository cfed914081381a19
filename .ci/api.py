"""The public API of `azure_openai_files`, as a stub generated from the code, and the checks
that keep consumers from being broken by accident.

    python .ci/api.py --write     # `make api`: regenerate .ci/api/azure_openai_files.pyi
    python .ci/api.py --check     # `make check-api`: fail when the code's surface differs
                                  # from that file, or breaks the last release unannounced
    python .ci/api.py --release   # `make api-release`: store the surface as the released one

The stub lists every name in `azure_openai_files.__all__`: classes with their bases,
methods and properties (signatures with defaults), class and instance attributes, enum
members with their values, and module constants. It is read statically (griffe), so the
package is never imported. Docstrings and private names are left out: a diff of the stub is
a diff of the surface.

The surface of the last release is stored beside it (`released-<version>.pyi`), so a fresh
clone without tags can compare. griffe's breaking-change detection runs between the two,
with what griffe 2 leaves out (changed values, narrowed or widened types) added here; a
breaking change passes only when pyproject.toml's version is a breaking release after the
released one (0.x: a minor bump; 1.0 and later: a major bump) and CHANGELOG.md's section
for that version (or `Unreleased`) has a "Breaking" heading or bullet.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

import griffe

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "azure_openai_files"
SOURCE_ROOTS = ("customizations", "generated")
API_DIR = Path(".ci") / "api"
CURRENT_STUB = f"{PACKAGE}.pyi"
RELEASED_PREFIX = "released-"

HEADER = (
    "# The public API of azure_openai_files: generated from the code by `make api`, never\n"
    "# edited by hand. `make test` fails when the code's surface differs from this file.\n"
)
RELEASED_HEADER = (
    "# The public API of azure-openai-files {version}, as released (`make api-release`).\n"
    "# `make check-api` compares the code with it to find breaking changes.\n"
)

# Dunder methods that are implementation detail rather than surface.
_HIDDEN_DUNDERS = frozenset({"__repr__", "__str__", "__slots__", "__module__", "__doc__"})


# --------------------------------------------------------------------------------------
# The stub
# --------------------------------------------------------------------------------------


def load_package(root: Path) -> griffe.Module:
    loader = griffe.GriffeLoader(search_paths=[root / source for source in SOURCE_ROOTS])
    package = loader.load(PACKAGE)
    loader.load(f"{PACKAGE}_generated")
    loader.resolve_aliases(implicit=True, external=None)
    return package  # type: ignore[return-value]


def render_surface(root: Path) -> str:
    """The stub of the package under `root` (its customizations/ and generated/)."""
    package = load_package(root)
    exports = package.exports
    if exports is None:
        raise SystemExit(f"{PACKAGE} has no __all__: its public surface is undefined")
    lines: list[str] = []
    for export in exports:
        name = str(export)
        target = _final(package[name])
        block = list(_render(name, target, indent=""))
        if lines and (len(block) > 1 or lines[-1].startswith(" ")):
            lines.append("")
        lines += block
    return HEADER + "\n" + "\n".join(lines) + "\n"


def _final(obj: griffe.Object | griffe.Alias) -> griffe.Object:
    return obj.final_target if isinstance(obj, griffe.Alias) else obj


def _render(name: str, obj: griffe.Object, indent: str) -> Iterator[str]:
    if isinstance(obj, griffe.Class):
        yield from _render_class(name, obj, indent)
    elif isinstance(obj, griffe.Function):
        yield from _render_function(name, obj, indent)
    elif isinstance(obj, griffe.Attribute):
        yield indent + _render_attribute(name, obj, None)
    else:
        yield f"{indent}{name}: {obj.kind.value}"


def _render_class(name: str, cls: griffe.Class, indent: str) -> Iterator[str]:
    # A private base class is an implementation detail: its public members are listed here
    # as if declared on the class, and it is not named.
    private_bases = [base for base in cls.mro() if base.name.startswith("_")]
    bases = ", ".join(str(base) for base in cls.bases if not str(base).startswith("_"))
    yield f"{indent}class {name}({bases}):" if bases else f"{indent}class {name}:"
    inner = indent + "    "
    declared: dict[str, griffe.Object | griffe.Alias] = {}
    for owner in [cls, *private_bases]:
        for member_name, member in owner.members.items():
            declared.setdefault(member_name, member)
    members = [
        (member_name, _final(member))
        for member_name, member in declared.items()
        if _is_public(member_name) and not member.is_alias
    ]
    init = declared.get("__init__")
    fields = [(n, m) for n, m in members if isinstance(m, griffe.Attribute)]
    attributes = [(n, m) for n, m in fields if "property" not in m.labels]
    properties = [(n, m) for n, m in fields if "property" in m.labels]
    functions = [(n, m) for n, m in members if isinstance(m, griffe.Function)]
    functions.sort(key=lambda item: item[0] != "__init__")
    body: list[str] = []
    for member_name, attribute in attributes:
        body.append(inner + _render_attribute(member_name, attribute, init))
    for member_name, prop in properties:
        body += _render_property(member_name, prop, inner)
    for member_name, function in functions:
        body += _render_function(member_name, function, inner)
    yield from body or [inner + "pass"]


def _render_property(name: str, prop: griffe.Attribute, indent: str) -> Iterator[str]:
    yield f"{indent}@property"
    yield f"{indent}def {name}(self) -> {prop.annotation}: ..."
    if "writable" in prop.labels:
        yield f"{indent}@{name}.setter"
        yield f"{indent}def {name}(self, value: {prop.annotation}) -> None: ..."


def _is_public(name: str) -> bool:
    if name.startswith("__") and name.endswith("__"):
        return name not in _HIDDEN_DUNDERS
    return not name.startswith("_")


def _render_attribute(name: str, attribute: griffe.Attribute, init: object) -> str:
    annotation = attribute.annotation
    if annotation is None and isinstance(init, griffe.Function):
        # `self.code = code`: the attribute has the type of the parameter it copies.
        parameter = (
            init.parameters[str(attribute.value)] if _copies_parameter(attribute, init) else None
        )
        annotation = parameter.annotation if parameter is not None else None
    if name == "__version__":
        return f"{name}: str"  # its value is the release, not the surface
    shows_value = "class-attribute" in attribute.labels or "module-attribute" in attribute.labels
    shows_value = shows_value and attribute.value is not None
    text = name if annotation is None else f"{name}: {annotation}"
    if shows_value:
        return f"{text} = {attribute.value}"
    return text if annotation is not None else f"{name} = ...  # instance attribute"


def _copies_parameter(attribute: griffe.Attribute, init: griffe.Function) -> bool:
    value = str(attribute.value)
    return value.isidentifier() and value in {p.name for p in init.parameters}


def _render_function(name: str, function: griffe.Function, indent: str) -> Iterator[str]:
    labels = function.labels
    if "property" in labels:
        yield f"{indent}@property"
    for decorator in ("classmethod", "staticmethod"):
        if decorator in labels:
            yield f"{indent}@{decorator}"
    prefix = "async def" if "async" in labels else "def"
    returns = f" -> {function.returns}" if function.returns is not None else ""
    parameters = _render_parameters(function.parameters)
    if len(parameters) <= 2:  # (self) or (cls, data): one line
        yield f"{indent}{prefix} {name}({', '.join(parameters)}){returns}: ..."
        return
    # One parameter per line: a changed default or type is a one-line diff.
    yield f"{indent}{prefix} {name}("
    yield from (f"{indent}    {parameter}," for parameter in parameters)
    yield f"{indent}){returns}: ..."


def _default_value(default: str | griffe.Expr) -> str:
    """A default as written, or the value of the module constant it names: `timeout: float =
    DEFAULT_WAIT_TIMEOUT` would hide a change of the constant's value."""
    if isinstance(default, griffe.ExprName):
        with contextlib.suppress(Exception):  # unresolvable names are shown as written
            target = default.resolved
            if isinstance(target, griffe.Attribute) and target.value is not None:
                return str(target.value)
    return str(default)


def _render_parameters(parameters: Iterable[griffe.Parameter]) -> list[str]:
    kind = griffe.ParameterKind
    parts: list[str] = []
    seen_positional_only = seen_star = False
    for parameter in parameters:
        if seen_positional_only and parameter.kind is not kind.positional_only:
            parts.append("/")
            seen_positional_only = False
        if parameter.kind is kind.positional_only:
            seen_positional_only = True
        if parameter.kind is kind.keyword_only and not seen_star:
            parts.append("*")
        if parameter.kind in (kind.var_positional, kind.keyword_only):
            seen_star = True
        star = {kind.var_positional: "*", kind.var_keyword: "**"}.get(
            parameter.kind or kind.positional_or_keyword, ""
        )
        text = star + parameter.name
        if parameter.annotation is not None:
            text += f": {parameter.annotation}"
        if parameter.default is not None:
            default = _default_value(parameter.default)
            text += f" = {default}" if parameter.annotation is not None else f"={default}"
        parts.append(text)
    if seen_positional_only:
        parts.append("/")
    return parts


# --------------------------------------------------------------------------------------
# Breaking changes against the last release
# --------------------------------------------------------------------------------------


def released_stub(root: Path) -> tuple[str, Path] | None:
    """(version, path) of the stored surface of the last release, if any."""
    found = [
        (_version_tuple(path.stem.removeprefix(RELEASED_PREFIX)), path)
        for path in (root / API_DIR).glob(f"{RELEASED_PREFIX}*.pyi")
    ]
    if not found:
        return None
    _, path = max(found)
    return path.stem.removeprefix(RELEASED_PREFIX), path


def breaking_changes(
    old_stub: str, new_stub: str, old_name: str = "released", new_name: str = "current"
) -> list[str]:
    """griffe's breaking changes from one stub to the other, explained one per line (the
    file names only label the lines)."""
    old = griffe.visit(PACKAGE, Path(old_name), old_stub)
    new = griffe.visit(PACKAGE, Path(new_name), new_stub)
    found = [
        _ANSI_ESCAPE.sub("", breakage.explain(style=griffe.ExplanationStyle.ONE_LINE)).strip()
        for breakage in griffe.find_breaking_changes(old, new)
    ]
    # griffe 2 does not compare values; a constant or enum value is a default callers rely on.
    for path, old_value in _values(old).items():
        new_value = _values(new).get(path)
        if (
            new_value is not None
            and new_value != old_value
            and not _only_grew(old_value, new_value)
        ):
            found.append(f"{path}: value was changed: {old_value} -> {new_value}")
    found += _type_narrowing(old, new)
    return found


def _type_narrowing(old: griffe.Module, new: griffe.Module) -> list[str]:
    """Type changes griffe 2 does not judge: a parameter that accepts fewer types, a return
    value or attribute that may be of more types. Annotations are compared as sets of union
    members; `Any` is compatible with everything."""
    found: list[str] = []
    for owner in [old, *old.classes.values()]:
        new_owner = new if owner is old else new.classes.get(owner.name)
        if new_owner is None:
            continue  # a removed class is griffe's finding
        for name, member in owner.members.items():
            counterpart = new_owner.members.get(name)
            if isinstance(member, griffe.Function) and isinstance(counterpart, griffe.Function):
                found += _function_narrowing(member, counterpart)
            elif (
                isinstance(member, griffe.Attribute)
                and isinstance(counterpart, griffe.Attribute)
                and _narrows(member.annotation, counterpart.annotation, parameter=False)
            ):
                found.append(
                    f"{member.path}: may hold other types: "
                    f"{member.annotation} -> {counterpart.annotation}"
                )
    return found


def _function_narrowing(old: griffe.Function, new: griffe.Function) -> list[str]:
    found: list[str] = []
    new_parameters = {parameter.name: parameter for parameter in new.parameters}
    for parameter in old.parameters:
        counterpart = new_parameters.get(parameter.name)
        if counterpart is not None and _narrows(
            parameter.annotation, counterpart.annotation, parameter=True
        ):
            found.append(
                f"{old.path}({parameter.name}): accepts fewer types: "
                f"{parameter.annotation} -> {counterpart.annotation}"
            )
    if _narrows(old.returns, new.returns, parameter=False):
        found.append(f"{old.path}: may return other types: {old.returns} -> {new.returns}")
    return found


def _union(annotation: object) -> frozenset[str] | None:
    """The members of a `A | B | None` annotation; None when there is none or it is `Any`."""
    if annotation is None:
        return None
    text, members, depth, start = str(annotation), [], 0, 0
    for index, char in enumerate(text):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == "|" and depth == 0:
            members.append(text[start:index])
            start = index + 1
    members.append(text[start:])
    found = frozenset(" ".join(member.split()) for member in members)
    return None if "Any" in found else found


def _narrows(old: object, new: object, *, parameter: bool) -> bool:
    """Whether going from the `old` annotation to the `new` one breaks callers: a parameter
    must accept every type it accepted; a return value or attribute must not gain types."""
    before, after = _union(old), _union(new)
    if before is None or after is None:
        return False
    if any(_PRIVATE_NAME.search(member) for member in before):
        return False  # a type consumers cannot import was no promise to them
    return not (before <= after if parameter else after <= before)


_PRIVATE_NAME = re.compile(r"(?<![\w.])_[A-Za-z]")


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _values(module: griffe.Module) -> dict[str, str]:
    """path -> value of every module constant and class-level attribute."""
    values: dict[str, str] = {}
    for obj in [module, *module.classes.values()]:
        for attribute in obj.attributes.values():
            if attribute.value is not None and "instance-attribute" not in attribute.labels:
                values[attribute.path] = str(attribute.value)
    return values


def _only_grew(old_value: str, new_value: str) -> bool:
    """A tuple constant that kept every old item (a new api-version, say) breaks nobody."""
    try:
        old, new = ast.literal_eval(old_value), ast.literal_eval(new_value)
    except (ValueError, SyntaxError):
        return False
    return isinstance(old, tuple) and isinstance(new, tuple) and set(old) <= set(new)


def _version_tuple(version: str) -> tuple[int, ...]:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)(?:[.\-+]?[0-9A-Za-z.\-+]*)?", version.strip())
    if match is None:
        raise SystemExit(f"not a semantic version: {version!r}")
    return tuple(int(part) for part in match.groups())


def is_breaking_release(released: str, version: str) -> bool:
    """Whether `version` may break callers of `released` (semver; 0.x breaks on a minor)."""
    old, new = _version_tuple(released), _version_tuple(version)
    if old[0] == 0:
        return new[:2] > old[:2]
    return new[0] > old[0]


def changelog_section(changelog: str, version: str) -> str:
    """The text under `## [version]` (or `## version`), else under `## [Unreleased]`."""
    sections: dict[str, str] = {}
    for match in re.finditer(
        r"^## +\[?([^\]\s]+)\]?[^\n]*\n(.*?)(?=^## |\Z)", changelog, re.M | re.S
    ):
        sections.setdefault(match.group(1).lower(), match.group(2))
    return sections.get(version.lower()) or sections.get("unreleased", "")


# A "Breaking" heading (`### Breaking`, `### Breaking changes`) or a bullet that starts with
# it (`- **Breaking:** ...`); the word in passing prose does not count.
_BREAKING_ENTRY = re.compile(
    r"^(?:#{3,4} +|[-*] +(?:\*\*)?)breaking\b", re.IGNORECASE | re.MULTILINE
)


def announces_breaking(section: str) -> bool:
    return _BREAKING_ENTRY.search(section) is not None


def project_version(root: Path) -> str:
    with (root / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def check_breaking(root: Path, current: str) -> list[str]:
    """Problems with breaking changes since the last release (empty when all is well)."""
    released = released_stub(root)
    if released is None:
        return [f"no stored surface of a release in {API_DIR}/: run `make api-release`"]
    released_version, path = released
    breakages = breaking_changes(
        path.read_text(encoding="utf-8"),
        current,
        old_name=str(API_DIR / path.name),
        new_name=f"{API_DIR / CURRENT_STUB} (from the code)",
    )
    if not breakages:
        return []
    version = project_version(root)
    listing = "\n".join(f"  - {line}" for line in breakages)
    if not is_breaking_release(released_version, version):
        return [
            f"breaking changes since the release {released_version}, but pyproject.toml's "
            f"version {version} is not a breaking release (0.x: bump the minor version; "
            f"1.0 and later: the major):\n{listing}\n"
            "Keep the old behaviour, or bump the version and say what broke in CHANGELOG.md."
        ]
    section = changelog_section((root / "CHANGELOG.md").read_text(encoding="utf-8"), version)
    if not announces_breaking(section):
        return [
            f"version {version} breaks callers of {released_version}, but CHANGELOG.md's "
            f"section for {version} (or Unreleased) says nothing breaking:\n{listing}\n"
            "Add a `### Breaking` entry saying what broke and how to migrate."
        ]
    # Announced: still listed, so a reviewer sees every break the release carries.
    print(f"breaking changes since {released_version}, announced for {version}:\n{listing}")
    return []


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python .ci/api.py", description=__doc__.split("\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="regenerate the stub")
    action.add_argument("--check", action="store_true", help="fail on drift or breakage")
    action.add_argument("--release", action="store_true", help="store the released surface")
    action.add_argument("--print", action="store_true", help="print the stub")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project folder")
    args = parser.parse_args(argv)
    root: Path = args.root
    stub_path = root / API_DIR / CURRENT_STUB
    current = render_surface(root)

    if args.print:
        sys.stdout.write(current)
        return 0
    if args.write:
        stub_path.parent.mkdir(parents=True, exist_ok=True)
        stub_path.write_text(current, encoding="utf-8")
        print(f"wrote {stub_path.relative_to(root)}")
        return 0
    if args.release:
        version = project_version(root)
        for old in (root / API_DIR).glob(f"{RELEASED_PREFIX}*.pyi"):
            old.unlink()
        released = root / API_DIR / f"{RELEASED_PREFIX}{version}.pyi"
        body = current.removeprefix(HEADER)
        released.write_text(RELEASED_HEADER.format(version=version) + body, encoding="utf-8")
        print(f"wrote {released.relative_to(root)}")
        return 0

    failed = False
    stored = stub_path.read_text(encoding="utf-8") if stub_path.is_file() else ""
    if stored != current:
        failed = True
        diff = difflib.unified_diff(
            stored.splitlines(keepends=True),
            current.splitlines(keepends=True),
            fromfile=f"{API_DIR / CURRENT_STUB} (checked in)",
            tofile="the code",
        )
        sys.stderr.write("".join(diff))
        sys.stderr.write(
            f"\nThe public API of {PACKAGE} changed (diff above). If the change is intended, "
            "run `make api` and commit the updated stub.\n"
        )
    for problem in check_breaking(root, current):
        failed = True
        sys.stderr.write(f"\n{problem}\n")
    if not failed:
        print(
            f"public API matches {API_DIR / CURRENT_STUB}; since the last release it is "
            "compatible, or its breaking changes are announced"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

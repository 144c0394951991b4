#!/usr/bin/env python3
"""File-level import cycles inside each crate's src/ (docs/architecture.md).

Two files of one crate that name each other through `crate::...` or
`super::...` paths (directly or around a longer loop) are a cycle: neither
can be read, moved or tested without the other. Paths into the crate root
(lib.rs, main.rs) are not counted: the root declares and re-exports every
module. Comments and `#[cfg(test)] mod tests` blocks are ignored.

    scripts/check-import-cycles.py crates/*/src      # exit 1 on a cycle
    scripts/check-import-cycles.py --self-test       # the check can fail

The reading is textual (no macro expansion): good enough for a guard, and it
errs on the side of reporting.
"""

import os
import re
import sys
import tempfile

PATH = re.compile(r"\b(crate|super)((?:::\w+)+)")
TESTS = re.compile(r"#\[cfg\(test\)\]\s*mod tests \{.*", re.S)


def module_path(root, path):
    parts = os.path.relpath(path, root)[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def graph(root):
    sources = {}
    for directory, _, names in os.walk(root):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(directory, name)
                with open(path, encoding="utf-8") as f:
                    sources[path] = f.read()
    modules = {tuple(module_path(root, p)): p for p in sources}
    edges = {p: set() for p in sources}
    for path, text in sources.items():
        here = module_path(root, path)
        text = TESTS.sub("", text)
        text = "\n".join(l for l in text.split("\n") if not l.strip().startswith("//"))
        for m in PATH.finditer(text):
            segments = m.group(2).split("::")[1:]
            if m.group(1) == "crate":
                target = segments
            else:
                target = here[:-1] + segments
            for n in range(len(target), 0, -1):
                found = modules.get(tuple(target[:n]))
                if found:
                    if found != path and os.path.basename(found) not in ("lib.rs", "main.rs"):
                        edges[path].add(found)
                    break
    return edges


def cycles(edges):
    found, done, stack, on_stack = [], set(), [], set()

    def visit(node):
        done.add(node)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in done:
                visit(nxt)
            elif nxt in on_stack:
                found.append(stack[stack.index(nxt):] + [nxt])
        stack.pop()
        on_stack.discard(node)

    for node in sorted(edges):
        if node not in done:
            visit(node)
    return found


def check(roots):
    bad = 0
    for root in roots:
        for cycle in cycles(graph(root)):
            bad += 1
            print(f"import cycle in {root}: " + " -> ".join(os.path.relpath(p, root) for p in cycle))
    return bad


def self_test():
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "api"))
        files = {
            "lib.rs": "mod api;\n",
            "api/mod.rs": "mod a;\nmod b;\n",
            "api/a.rs": "use super::b::B;\npub struct A;\n",
            "api/b.rs": "// crate::api::a in a comment is no import\nuse crate::api::a::A;\npub struct B;\n",
        }
        for name, text in files.items():
            with open(os.path.join(root, name), "w", encoding="utf-8") as f:
                f.write(text)
        found = cycles(graph(root))
        if len(found) != 1:
            print(f"self-test: expected one cycle, found {found}")
            return False
        with open(os.path.join(root, "api/b.rs"), "w", encoding="utf-8") as f:
            f.write("// crate::api::a\npub struct B;\n")
        if cycles(graph(root)):
            print("self-test: a comment was read as an import")
            return False
    return True


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(0 if self_test() else 1)
    if not self_test():
        print("import cycles: the check cannot see cycles")
        sys.exit(1)
    count = check(sys.argv[1:])
    if count:
        sys.exit(1)
    print(f"import cycles: none in {len(sys.argv) - 1} crates")

"""The import contract: kerasish's tiers, and a check over the source (stdlib `ast` only) that every
import goes down the tiers or stays in its tier, and that no imports form a circle.

Every `import` and `from ... import` counts, at module level or inside a function, and so does
`importlib.import_module("a.constant.name")`. The one allowed upward reference is a lazy re-export:
a package `__init__` that maps public names to the modules defining them (module names written as
string constants, imported on first use), listed in LAZY_REEXPORTS. Outside package `__init__`
files, an `importlib.import_module` whose argument is not a constant cannot be checked, so each such
site is named in DYNAMIC_IMPORTS with the reason it is there. A package `__init__` may compute
names: at module level it counts as importing every module of its own folder (the primitives load
so); inside a function (a lazy `__getattr__`) the module names it holds as constants are what the
check reads.

Usage: python tools/import_contract.py [REPOSITORY]. Prints each offence as
`module -> imported module (line N, function-level|module-level)` and the counts; exits 1 on any.
"""

import ast
import os
import sys

# Top to bottom. A module belongs to the tier of the longest prefix naming it ("kerasish" alone
# names only the package's own __init__, the facade above everything).
TIERS = (
    ("entry points", ("kerasish", "kerasish.cli", "kerasish.__main__")),
    ("applications", ("kerasish.applications",)),
    (
        "saving and models",
        ("kerasish.saving", "kerasish.models", "kerasish.utils.summary", "kerasish.utils.model_visualization"),
    ),
    ("export", ("kerasish.export",)),
    ("trainers", ("kerasish.trainers", "kerasish.utils.engine_parity")),
    (
        "layers, losses, metrics, optimizers, callbacks",
        (
            "kerasish.layers",
            "kerasish.losses",
            "kerasish.metrics",
            "kerasish.optimizers",
            "kerasish.callbacks",
            "kerasish.initializers",
            "kerasish.regularizers",
            "kerasish.constraints",
            "kerasish.activations",
            "kerasish.data",
            "kerasish.datasets",
            "kerasish.preprocessing",
            "kerasish.mixed_precision",
            "kerasish.utils.feature_space",
        ),
    ),
    (
        "ops",
        (
            "kerasish.ops",
            "kerasish.random",
            "kerasish.backend",
            "kerasish.config",
            "kerasish.dtype_policies",
            "kerasish.tree",
            "kerasish.distribution",
            "kerasish.utils",
        ),
    ),
    ("backends", ("kerasish.backends",)),
)

# package __init__ -> the higher modules it may name as lazy re-exports of public API.
LAZY_REEXPORTS = {
    "kerasish.utils": (
        "kerasish.utils.engine_parity",
        "kerasish.utils.feature_space",
        "kerasish.utils.model_visualization",
    ),
}

# module (other than a package __init__) -> why it imports a module whose name is computed.
DYNAMIC_IMPORTS = {
    "kerasish.layers.core.lambda_layer": "a Lambda config names a function by module; loading it is "
    "refused in safe mode unless the module is kerasish's own",
    "kerasish.backends.device": "the GPU's array module, cupy, or the test stand-in KERASISH_GPU_MODULE names "
    "(tests/gpu_standin): an external module, outside the tiers",
}

ROOTS = {"kerasish": "kerasish", "kerasish.backends": "backends", "kerasish.applications": "applications"}


def find_modules(repository):
    """{module name: file path} for every module under the three package roots."""
    modules = {}
    for package, folder in ROOTS.items():
        top = os.path.join(repository, folder)
        for directory, subdirectories, files in os.walk(top):
            subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
            for file in sorted(files):
                if file.endswith(".py"):
                    relative = os.path.relpath(os.path.join(directory, file), top)[:-3].replace(os.sep, ".")
                    relative = relative.removesuffix("__init__").rstrip(".")
                    modules[package + ("." + relative if relative else "")] = os.path.join(directory, file)
    return modules


def tier_of(module):
    """The index (0 = top) of the tier owning `module`, or None when no tier names it."""
    best, best_length = None, -1
    for index, (_, prefixes) in enumerate(TIERS):
        for prefix in prefixes:
            matches = module == prefix or (prefix != "kerasish" and module.startswith(prefix + "."))
            if matches and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    return best


class Reference:
    """One import of a kerasish module: who, what, where, and of which kind."""

    def __init__(self, source, target, line, function_level, lazy=False):
        self.source, self.target, self.line = source, target, line
        self.function_level, self.lazy = function_level, lazy

    def describe(self):
        where = "lazy re-export" if self.lazy else "function-level" if self.function_level else "module-level"
        return f"{self.source} -> {self.target} (line {self.line}, {where})"


def _is_import_module_call(node):
    function = node.func
    return (
        isinstance(function, ast.Attribute)
        and function.attr == "import_module"
        and isinstance(function.value, ast.Name)
        and function.value.id == "importlib"
    )


class _Collector(ast.NodeVisitor):
    def __init__(self, module, is_package, modules):
        self.module, self.is_package, self.modules = module, is_package, modules
        self.package = module if is_package else module.rpartition(".")[0]
        self.depth = 0
        self.references, self.dynamic_lines, self.import_lines, self.seen = [], [], set(), set()

    def _add(self, target, node, lazy=False):
        """A reference to `target`, and to each package above it that Python runs on the way (except
        the packages holding this module, which are running already, and the facade `kerasish`)."""
        while target in self.modules and target != "kerasish":
            key = (target, node.lineno, lazy)
            if target != self.module and not self.module.startswith(target + ".") and key not in self.seen:
                self.seen.add(key)
                self.references.append(Reference(self.module, target, node.lineno, self.depth > 0, lazy))
            if lazy:
                break
            target = target.rpartition(".")[0]

    def _longest_module(self, name):
        while name and name not in self.modules:
            name = name.rpartition(".")[0]
        return name

    def _visit_function(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _visit_function

    def visit_Import(self, node):
        self.import_lines.add((node.lineno, self.depth > 0))
        for alias in node.names:
            self._add(self._longest_module(alias.name), node)

    def visit_ImportFrom(self, node):
        self.import_lines.add((node.lineno, self.depth > 0))
        if node.level:
            parts = self.package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1])
            source = base + ("." + node.module if node.module else "")
        else:
            source = node.module or ""
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            self._add(submodule if submodule in self.modules else self._longest_module(source), node)

    def visit_Call(self, node):
        if _is_import_module_call(node) and node.args:
            argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                self._add(self._longest_module(argument.value), node)
            elif self.is_package and self.depth == 0:
                self._add_children(node)  # a package importing its own folder as it loads
            else:
                self.dynamic_lines.append(node.lineno)
        self.generic_visit(node)

    def _add_children(self, node):
        prefix = self.module + "."
        for module in self.modules:
            if module.startswith(prefix) and "." not in module[len(prefix) :]:
                self._add(module, node)

    def visit_Constant(self, node):
        if self.is_package and isinstance(node.value, str) and node.value in self.modules:
            self._add(node.value, node, lazy=True)


def collect(modules):
    """(references, dynamic import sites [(module, line)], import statements [(module, line, function-level)])."""
    references, dynamic, statements = [], [], []
    for module, path in modules.items():
        with open(path, encoding="utf-8") as file:
            tree = ast.parse(file.read(), filename=path)
        collector = _Collector(module, path.endswith("__init__.py"), modules)
        collector.visit(tree)
        references += collector.references
        if not collector.is_package:
            dynamic += [(module, line) for line in collector.dynamic_lines]
        statements += [(module, line, function_level) for line, function_level in collector.import_lines]
    return references, dynamic, statements


def circles(references):
    """The strongly connected components (of two or more modules) of the import graph, lazy
    re-exports left out; each as a sorted list of module names."""
    edges = {}
    for reference in references:
        if not reference.lazy and not _imports_own_package(reference):
            edges.setdefault(reference.source, set()).add(reference.target)
            edges.setdefault(reference.target, set())
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _imports_own_package(reference):
    """A module importing a package that contains it: Python has run that __init__ already."""
    return reference.source.startswith(reference.target + ".")


def check(repository, lazy_reexports=LAZY_REEXPORTS, dynamic_imports=DYNAMIC_IMPORTS):
    """Everything the contract finds: a dict of offence lists and counts."""
    modules = find_modules(repository)
    references, dynamic, statements = collect(modules)
    unplaced = sorted(module for module in modules if tier_of(module) is None)
    upward = []
    for reference in references:
        source_tier, target_tier = tier_of(reference.source), tier_of(reference.target)
        if None in (source_tier, target_tier) or target_tier >= source_tier or _imports_own_package(reference):
            continue
        if reference.lazy and reference.target in lazy_reexports.get(reference.source, ()):
            continue
        upward.append(reference)
    found_circles = circles(references)
    in_circles = {module for circle in found_circles for module in circle}
    circle_edges = [
        reference
        for reference in references
        if not reference.lazy
        and reference.source in in_circles
        and reference.target in in_circles
        and any(reference.source in c and reference.target in c for c in found_circles)
    ]
    unlisted_dynamic = [(module, line) for module, line in dynamic if module not in dynamic_imports]
    lazy = {(reference.source, reference.target) for reference in references if reference.lazy}
    stale = [
        f"LAZY_REEXPORTS: {source} -> {target}"
        for source, targets in lazy_reexports.items()
        for target in targets
        if (source, target) not in lazy
    ]
    stale += [f"DYNAMIC_IMPORTS: {module}" for module in dynamic_imports if module not in {m for m, _ in dynamic}]
    return {
        "unplaced": unplaced,
        "upward": upward,
        "circles": found_circles,
        "circle_edges": circle_edges,
        "dynamic": unlisted_dynamic,
        "stale": stale,
        "function_level_imports": sum(1 for _, _, function_level in statements if function_level),
        "imports": len(statements),
    }


def offences(result):
    """One line per offence."""
    lines = [f"{module}: in no tier (add it to TIERS in tools/import_contract.py)" for module in result["unplaced"]]
    lines += [f"upward: {reference.describe()}" for reference in result["upward"]]
    for circle in result["circles"]:
        lines.append(f"circle of {len(circle)}: {', '.join(circle)}")
        lines += [
            f"  in circle: {reference.describe()}"
            for reference in result["circle_edges"]
            if reference.source in circle and reference.target in circle
        ]
    lines += [
        f"dynamic: {module} -> importlib.import_module(<computed name>) (line {line}); name a constant "
        f"module or list the module in DYNAMIC_IMPORTS with the reason"
        for module, line in result["dynamic"]
    ]
    lines += [f"stale allowance: {entry} (nothing uses it any more; remove it)" for entry in result["stale"]]
    return lines


def main(argv):
    repository = argv[1] if len(argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = check(repository)
    lines = offences(result)
    for line in lines:
        print(line)
    statements = {(reference.source, reference.line) for reference in result["upward"]}
    print(
        f"upward imports {len(statements)} (statements); circles {len(result['circles'])} "
        f"(modules in circles {sum(map(len, result['circles']))}); dynamic imports unlisted "
        f"{len(result['dynamic'])}; modules in no tier {len(result['unplaced'])}; "
        f"function-level imports {result['function_level_imports']} of {result['imports']}"
    )
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Graph-optimisation passes. Each is its own module with `run(roots, context) -> roots`.

Passes never change the user's graph: they rebuild the nodes they change in the compile's scratch
graph (`context.graph`). `function(..., passes={"elementwise_fusion": False})` switches one off; every pass is
tested "same results on and off".
"""

from . import (
    algebraic_simplification,
    common_subexpressions,
    constant_folding,
    elementwise_fusion,
    matmul_fusion,
    product_epilogues,
    product_updates,
    recomputed_residuals,
)

# Rewriting passes in the order they run. dead_code acts when the roots are gathered, inplace_updates
# and buffer_reuse when the plan is lowered.
REWRITES = {
    "constant_folding": constant_folding.run,
    "algebraic_simplification": algebraic_simplification.run,
    "common_subexpressions": common_subexpressions.run,
    "recomputed_residuals": recomputed_residuals.run,
    "product_epilogues": product_epilogues.run,
    "matmul_fusion": matmul_fusion.run,
    "product_updates": product_updates.run,
    "elementwise_fusion": elementwise_fusion.run,
}
NAMES = ("dead_code", *REWRITES, "inplace_updates", "buffer_reuse")


def resolve(passes):
    """The set of enabled pass names from None (all), a list of names, or a {name: bool} dict."""
    if passes is None:
        return set(NAMES)
    if isinstance(passes, dict):
        chosen = {name for name in NAMES if passes.get(name, True)}
        unknown = set(passes) - set(NAMES)
    else:
        chosen = set(passes)
        unknown = chosen - set(NAMES)
    if unknown:
        raise ValueError(f"Unknown optimisation pass(es) {sorted(unknown)}; valid: {', '.join(NAMES)}")
    return chosen

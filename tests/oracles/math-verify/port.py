"""Ports Math-Verify's verdict tables into Ponder's fixture, as data.

Reads the test files of a Math-Verify checkout WITHOUT importing or running them (no sympy, no math_verify: the
parametrize tables are read from the syntax tree), and writes one JSON line per (gold, prediction, verdict) case to
tests/Ponder.Tests/Fixtures/math-verify/cases.jsonl, with the options the test passed to Math-Verify.

    git clone https://github.com/huggingface/Math-Verify /tmp/Math-Verify
    git -C /tmp/Math-Verify checkout 5d148cfaaf99214c2e4ffb4bc497ab042c592a7a
    python3 tests/oracles/math-verify/port.py /tmp/Math-Verify

Tables that are not (gold, prediction, verdict) — string extraction (multiple-choice letters), extraction
configuration, timeouts, raise_on_error — are not ported; the four sympy calls of test_precision are written as LaTeX
below (marked "translated").
"""

import ast
import json
import math
import sys
from pathlib import Path

COMMIT = "5d148cfaaf99214c2e4ffb4bc497ab042c592a7a"
FILES = [
    "test_all.py",
    "test_boxed.py",
    "test_numina_cases.py",
    "test_open_thoughts.py",
    "test_strict.py",
    "test_yujianll.py",
]

# compare_strings' defaults (tests/test_all.py): both extractors with boxed first, 6 decimals, strict.
DEFAULTS = {"match": ["latex", "expr"], "precision": 6, "strict": True, "set_relation": False}

# test_precision calls sympy_expr_eq on sympy objects; the same comparisons written as text.
TRANSLATED = [
    ("$\\frac{1}{3}$", "$0.333$", True, 3, True),
    ("$\\frac{1}{3}$", "$0.333$", False, 4, True),
    ("$\\frac{1}{3}+1$", "$1.333$", True, 3, True),
    ("$\\frac{1}{3}+1$", "$1.333$", False, 4, True),
    ("$\\frac{1}{3}$", "0.3333$", True, 4, False),  # test_precision's own compare_strings call
]


def literal(node):
    """A parametrize table: literals, plus the f-strings of test_float_precision (which call math.sqrt)."""
    try:
        return ast.literal_eval(node)
    except ValueError:
        code = compile(ast.Expression(node), "<table>", "eval")
        return eval(code, {"__builtins__": {}, "math": math})


def call_options(function):
    """The options of the compare_strings call in a test body; None when the body calls verify(parse(…))."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "compare_strings":
            options = dict(DEFAULTS)
            for keyword in node.keywords:
                name = {"match_types": "match", "allow_set_relation_comp": "set_relation"}.get(
                    keyword.arg, keyword.arg
                )
                if isinstance(keyword.value, ast.Name):
                    options[name] = "$" + keyword.value.id  # taken from the table's column
                else:
                    options[name] = ast.literal_eval(keyword.value)
            return options
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "verify":
            # parse()'s defaults: both extractors, boxed after the "final answer" phrases (priority 50).
            return {"match": "default", "precision": 6, "strict": True, "set_relation": False}
    return None


def cases_of(path):
    tree = ast.parse(path.read_text())
    for function in [n for n in tree.body if isinstance(n, ast.FunctionDef)]:
        tables = [
            d
            for d in function.decorator_list
            if isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "parametrize"
        ]
        options = call_options(function)
        if not tables or options is None:
            continue
        names = [n.strip() for n in ast.literal_eval(tables[0].args[0]).split(",")]
        if "gold" not in names or "pred" not in names:
            continue
        for index, row in enumerate(literal(tables[0].args[1])):
            values = dict(zip(names, row))
            case = dict(options)
            for key, value in list(case.items()):
                if isinstance(value, str) and value.startswith("$"):
                    case[key] = values[value[1:]]
            expected = values.get("expected", values.get("result"))
            yield {
                "id": f"{path.name}::{function.name}[{index}]",
                "gold": values["gold"],
                "pred": values["pred"],
                "expected": bool(expected),
                **{k: case[k] for k in ("match", "precision", "strict", "set_relation")},
            }


def main():
    checkout = Path(sys.argv[1])
    out = Path(__file__).resolve().parents[2] / "Ponder.Tests" / "Fixtures" / "math-verify" / "cases.jsonl"
    rows = []
    for name in FILES:
        rows.extend(cases_of(checkout / "tests" / name))
    for index, (gold, pred, expected, precision, translated) in enumerate(TRANSLATED):
        row = {
            "id": f"test_all.py::test_precision[{index}]",
            "gold": gold,
            "pred": pred,
            "expected": expected,
            **{**DEFAULTS, "precision": precision},
        }
        if translated:
            row["translated"] = True
        rows.append(row)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} cases from Math-Verify {COMMIT[:7]} → {out}")


if __name__ == "__main__":
    main()

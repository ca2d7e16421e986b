"""Runs a notebook's code cells top to bottom in one namespace, as `jupyter nbconvert --execute`
would, without needing Jupyter: `python3 run_notebook.py NOTEBOOK.ipynb`. Exits non-zero on the
first failing cell, naming it."""
import json
import sys
import traceback

notebook = json.load(open(sys.argv[1]))
namespace = {"__name__": "__main__"}
for number, cell in enumerate(notebook["cells"], start=1):
    if cell["cell_type"] != "code":
        continue
    source = "".join(cell["source"])
    try:
        exec(compile(source, f"{sys.argv[1]} cell {number}", "exec"), namespace)
    except Exception:
        traceback.print_exc()
        sys.exit(f"cell {number} failed")
print(f"{sys.argv[1]}: every cell ran")

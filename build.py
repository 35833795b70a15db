#!/usr/bin/env python3
"""reelpress entry point: `python build.py --help`."""

import sys

if __name__ == "__main__":
    try:
        from reelpress.cli import entry
    except ModuleNotFoundError as exc:  # run before `pip install -e .`
        sys.exit(f"reelpress is not installed ({exc.name} missing): run  pip install -e .")
    entry()

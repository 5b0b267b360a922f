"""Command handlers that import their module only when their command runs.

Why this exists: building the parser must stay cheap, so that ``python -m
metrics --help`` answers at once and a light command (``kiosk-token list``)
never loads pandas, numpy or the clinical rules it does not use. A parser
names its handler as ``"module:function"``; ``lazy`` imports that module the
first time the handler is called.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any


def lazy(target: str) -> Callable[[argparse.Namespace], Any]:
    """A callable taking the parsed arguments that imports ``module:function`` on first call and returns its result."""
    module_name, sep, function_name = target.partition(":")
    if not sep or not module_name or not function_name:
        raise ValueError(f"a lazy handler is named 'module:function', not {target!r}")

    def call(args: argparse.Namespace) -> Any:
        return getattr(importlib.import_module(module_name), function_name)(args)

    call.__name__ = function_name
    call.__qualname__ = f"lazy({target})"
    call.__doc__ = f"Runs {target}, imported when first called."
    return call

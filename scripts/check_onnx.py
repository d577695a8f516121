#!/usr/bin/env python3
"""Checks ONNX files with ONNX's own checker: the full check, which also runs shape
inference in strict mode, so a node whose inputs, attributes or types do not fit its
operator's schema at the model's opset fails.

Usage: /usr/bin/python3 scripts/check_onnx.py FILE.onnx...   (needs python3-onnx)
Prints 'ok FILE' or 'FAIL FILE: reason' per file; exits 1 if any failed.
test/onnx-export-checker.test.ts runs it on toOnnx's files when Python and onnx exist.
"""
import sys

import onnx
import onnx.checker


def main(paths):
    failed = 0
    for path in paths:
        try:
            onnx.checker.check_model(onnx.load(path), full_check=True)
            print(f"ok {path}")
        except Exception as e:  # noqa: BLE001 - report every file, whatever failed
            failed += 1
            print(f"FAIL {path}: {str(e).strip()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
